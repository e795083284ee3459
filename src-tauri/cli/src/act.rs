//! `tern move | copy | delete | archive | junk | read | flag | undo | pending`: acting on
//! mail. Each action changes the cache and queues the server side at once (as in the app),
//! then sends what waits; offline, it stays queued for the next `tern sync`.

use crate::output::Out;
use crate::read::resolve_one;
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use tern_engine::message::flags;
use tern_engine::{Action, Engine, ErrorKind, MessageId};

/// What to do after queueing.
#[derive(Args, Clone, Copy)]
pub struct Sending {
    /// Only queue the action; the next `tern sync` sends it.
    #[arg(long)]
    pub queue_only: bool,
}

#[derive(Subcommand)]
pub enum ActCmd {
    /// Move messages to a folder (name or role), of the same account or another.
    Move {
        #[arg(required = true)]
        ids: Vec<MessageId>,
        #[arg(long)]
        to: String,
        /// The destination's account (id or email); the messages' own by default.
        #[arg(long)]
        to_account: Option<String>,
        #[command(flatten)]
        send: Sending,
    },
    /// Copy messages to a folder (name or role), of the same account or another.
    Copy {
        #[arg(required = true)]
        ids: Vec<MessageId>,
        #[arg(long)]
        to: String,
        #[arg(long)]
        to_account: Option<String>,
        #[command(flatten)]
        send: Sending,
    },
    /// Move messages to Trash; messages already in Trash are deleted for good.
    Delete {
        #[arg(required = true)]
        ids: Vec<MessageId>,
        /// Delete for good wherever they are (cannot be undone).
        #[arg(long)]
        permanent: bool,
        #[command(flatten)]
        send: Sending,
    },
    /// Move messages to the Archive folder.
    Archive {
        #[arg(required = true)]
        ids: Vec<MessageId>,
        #[command(flatten)]
        send: Sending,
    },
    /// Move messages to Junk, or with --not back to the Inbox.
    Junk {
        #[arg(required = true)]
        ids: Vec<MessageId>,
        #[arg(long)]
        not: bool,
        #[command(flatten)]
        send: Sending,
    },
    /// Mark messages read, or with --unread unread.
    Read {
        #[arg(required = true)]
        ids: Vec<MessageId>,
        #[arg(long)]
        unread: bool,
        #[command(flatten)]
        send: Sending,
    },
    /// Star messages (\Flagged), or with --off unstar them.
    Flag {
        #[arg(required = true)]
        ids: Vec<MessageId>,
        #[arg(long)]
        off: bool,
        #[command(flatten)]
        send: Sending,
    },
    /// Take back the last move, delete, archive or junk.
    Undo {
        /// The undo id an action printed; the last action when omitted.
        id: Option<i64>,
        #[command(flatten)]
        send: Sending,
    },
    /// Actions waiting for the server, and those it refused.
    Pending {
        /// Account id or email; all when omitted.
        account: Option<String>,
        /// Forget a refused action (by the id shown).
        #[arg(long)]
        dismiss: Option<i64>,
    },
}

pub async fn run(engine: &Engine, cmd: ActCmd, out: &Out) -> Result<()> {
    let (what, action, send) = match cmd {
        ActCmd::Move {
            ids,
            to,
            to_account,
            send,
        } => {
            let folder = destination(engine, &ids, &to, to_account.as_deref())?;
            ("Moved", engine.move_messages(&ids, folder)?, send)
        }
        ActCmd::Copy {
            ids,
            to,
            to_account,
            send,
        } => {
            let folder = destination(engine, &ids, &to, to_account.as_deref())?;
            ("Copied", engine.copy_messages(&ids, folder)?, send)
        }
        ActCmd::Delete {
            ids,
            permanent: true,
            send,
        } => ("Deleted for good", engine.delete_permanently(&ids)?, send),
        ActCmd::Delete { ids, send, .. } => ("Deleted", engine.delete_messages(&ids)?, send),
        ActCmd::Archive { ids, send } => ("Archived", engine.archive_messages(&ids)?, send),
        ActCmd::Junk { ids, not, send } => {
            let what = if not {
                "Marked not junk"
            } else {
                "Marked junk"
            };
            (what, engine.mark_junk(&ids, !not)?, send)
        }
        ActCmd::Read { ids, unread, send } => {
            let (add, remove) = if unread {
                (0, flags::SEEN)
            } else {
                (flags::SEEN, 0)
            };
            let what = if unread {
                "Marked unread"
            } else {
                "Marked read"
            };
            (what, set_flags(engine, &ids, add, remove)?, send)
        }
        ActCmd::Flag { ids, off, send } => {
            let (add, remove) = if off {
                (0, flags::FLAGGED)
            } else {
                (flags::FLAGGED, 0)
            };
            let what = if off { "Unstarred" } else { "Starred" };
            (what, set_flags(engine, &ids, add, remove)?, send)
        }
        ActCmd::Undo { id, send } => {
            let id = match id {
                Some(id) => id,
                None => match engine.last_undo()? {
                    Some(r) => r.id,
                    None => bail!(tern_engine::Error::new(
                        ErrorKind::NotFound,
                        "There is nothing to undo"
                    )),
                },
            };
            ("Put back", engine.undo(id)?, send)
        }
        ActCmd::Pending { account, dismiss } => {
            return pending(engine, account.as_deref(), dismiss, out)
        }
    };
    let (sent, error) = if send.queue_only {
        (false, None)
    } else {
        push_all(engine).await?
    };
    let waiting = waiting(engine)?;
    let v = serde_json::json!({
        "ids": action.ids,
        "undo": action.undo,
        "sent": sent,
        "pending": waiting,
        "error": error,
    });
    out.emit(&v, || {
        let n = action.ids.len();
        let mut s = format!("{what} {n} message{}", if n == 1 { "" } else { "s" });
        if let Some(u) = action.undo {
            s += &format!(" (undo: tern undo {u})");
        }
        match (&error, waiting) {
            (Some(e), _) => s += &format!("\nQueued; not sent yet: {}", e.message),
            (None, 0) if sent => s += "\nDone on the server.",
            (None, 0) => {}
            (None, w) => s += &format!("\n{w} action(s) wait for the server (tern pending)."),
        }
        s
    });
    Ok(())
}

/// Flags of the messages that exist; the action lists those.
fn set_flags(engine: &Engine, ids: &[MessageId], add: u32, remove: u32) -> Result<Action> {
    let ids: Vec<MessageId> = engine
        .store()
        .summaries(ids)?
        .iter()
        .map(|m| m.id)
        .collect();
    engine.set_flags(&ids, add, remove)?;
    Ok(Action { ids, undo: None })
}

/// The folder `to` of the messages' account, or of `to_account`.
fn destination(
    engine: &Engine,
    ids: &[MessageId],
    to: &str,
    to_account: Option<&str>,
) -> Result<i64> {
    let account = match to_account {
        Some(k) => resolve_one(engine, k)?.id,
        None => {
            let Some(first) = ids.first() else {
                bail!("No messages given");
            };
            let (folder, _) = engine.store().locate(*first)?;
            engine.store().folder(folder)?.account_id
        }
    };
    Ok(engine.store().find_folder(account, to)?.id)
}

/// Sends every account's waiting actions now. A network failure is not an error here: the
/// action is queued and the next sync sends it.
async fn push_all(engine: &Engine) -> Result<(bool, Option<tern_engine::Error>)> {
    let mut sent = false;
    for a in engine.accounts()? {
        if engine.store().pending_count(a.id)? == 0 {
            continue;
        }
        match engine.push_pending(a.id).await {
            Ok(()) => sent = true,
            Err(e) if e.kind.is_transient() || e.kind == ErrorKind::Credentials => {
                return Ok((sent, Some(e)))
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Mail moved in by a move is indexed for search before this process exits.
    engine.store().catch_up_search_index()?;
    Ok((sent, None))
}

fn waiting(engine: &Engine) -> Result<u32> {
    let mut n = 0;
    for a in engine.accounts()? {
        n += engine.store().pending_count(a.id)?;
    }
    Ok(n)
}

fn pending(engine: &Engine, key: Option<&str>, dismiss: Option<i64>, out: &Out) -> Result<()> {
    if let Some(id) = dismiss {
        engine.dismiss_failure(id)?;
    }
    let accounts = match key {
        Some(k) => vec![resolve_one(engine, k)?],
        None => engine.accounts()?,
    };
    let mut all = Vec::new();
    for a in &accounts {
        let pending = engine.pending(a.id)?;
        let failed = engine.failures(Some(a.id))?;
        all.push(serde_json::json!({
            "account": a.id,
            "email": a.config.email,
            "pending": pending,
            "failed": failed,
        }));
        if !out.json {
            println!("{}", a.config.email);
            if pending.is_empty() && failed.is_empty() {
                println!("  nothing waits for the server");
            }
            for p in &pending {
                let retry = if p.last_error.is_empty() {
                    String::new()
                } else {
                    format!(" (tried {}×: {})", p.attempts, p.last_error)
                };
                println!("  waiting: {}{retry}", p.description);
            }
            for f in &failed {
                println!(
                    "  refused [{}] {}: {} (tern pending --dismiss {})",
                    crate::output::date(f.created_at),
                    f.description,
                    f.error.message,
                    f.id
                );
            }
        }
    }
    if out.json {
        out.emit(&all, String::new);
    }
    Ok(())
}
