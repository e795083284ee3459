//! `tern send | reply | forward | outbox | draft`: writing mail. Bodies come from stdin.
//! A message is queued in the outbox (as in the app) and then sent at once or after
//! `--delay`; a failure leaves it in the outbox (`tern outbox`), from where `--cancel` turns
//! it back into a draft.

use crate::output::Out;
use crate::read::resolve_one;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::io::Read;
use std::time::Duration;
use tern_engine::compose::parse_addresses;
use tern_engine::{Content, Draft, DraftAttachment, Engine, MessageId, ReplyKind};

#[derive(Args)]
pub struct Recipients {
    /// Recipients, comma-separated ("Bob <bob@example.org>, carol@example.org").
    #[arg(long, num_args = 1..)]
    to: Vec<String>,
    #[arg(long, num_args = 1..)]
    cc: Vec<String>,
    #[arg(long, num_args = 1..)]
    bcc: Vec<String>,
}

#[derive(Args)]
pub struct Sending {
    /// Wait this many seconds before sending (undo send); Ctrl-C leaves it in the outbox.
    #[arg(long, default_value_t = 0)]
    delay: u64,
    /// Only queue it; the app or the next `tern outbox --flush` sends it.
    #[arg(long)]
    queue_only: bool,
}

#[derive(Subcommand)]
pub enum WriteCmd {
    /// Send a new message; the text body is read from stdin.
    Send {
        /// The sending account (id or email).
        #[arg(long)]
        from: String,
        #[command(flatten)]
        rcpt: Recipients,
        #[arg(long, default_value = "")]
        subject: String,
        /// Attach a file (repeatable).
        #[arg(long)]
        attach: Vec<String>,
        /// An HTML file for the HTML part (otherwise derived from the text).
        #[arg(long)]
        html: Option<String>,
        #[command(flatten)]
        send: Sending,
    },
    /// Reply to a message (quoted); your text is read from stdin.
    Reply {
        id: MessageId,
        /// Reply to all recipients (without your own addresses).
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        send: Sending,
    },
    /// Forward a message; an optional note is read from stdin.
    Forward {
        id: MessageId,
        #[command(flatten)]
        rcpt: Recipients,
        /// Attach the original whole (message/rfc822) instead of inline.
        #[arg(long)]
        as_attachment: bool,
        #[command(flatten)]
        send: Sending,
    },
    /// What waits in the outbox.
    Outbox {
        /// Take a message out before it goes (or after it failed): it becomes a draft.
        #[arg(long)]
        cancel: Option<i64>,
        /// Send a failed message again.
        #[arg(long)]
        retry: Option<i64>,
        /// Send what is due now (for every account).
        #[arg(long)]
        flush: bool,
    },
    /// Drafts: save (from stdin), list, show, delete.
    #[command(subcommand)]
    Draft(DraftCmd),
}

#[derive(Subcommand)]
pub enum DraftCmd {
    /// Save a draft (new, or replacing `--id`); the text is read from stdin.
    Save {
        #[arg(long)]
        from: String,
        #[arg(long)]
        id: Option<i64>,
        #[command(flatten)]
        rcpt: Recipients,
        #[arg(long, default_value = "")]
        subject: String,
    },
    List,
    Show {
        id: i64,
    },
    Delete {
        id: i64,
    },
    /// Send a saved draft.
    Send {
        id: i64,
        #[command(flatten)]
        send: Sending,
    },
}

fn stdin_text() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("Reading the message text from stdin")?;
    Ok(s)
}

fn addresses(v: &[String]) -> Vec<tern_engine::message::Address> {
    v.iter().flat_map(|s| parse_addresses(s)).collect()
}

fn fill(d: &mut Draft, r: &Recipients) {
    d.to.extend(addresses(&r.to));
    d.cc.extend(addresses(&r.cc));
    d.bcc.extend(addresses(&r.bcc));
}

async fn go(
    engine: &Engine,
    d: &Draft,
    draft_id: Option<i64>,
    s: &Sending,
    out: &Out,
) -> Result<()> {
    let id = engine.send(d, draft_id, Duration::from_secs(s.delay))?;
    if !s.queue_only {
        engine.flush_outbox(d.account).await?;
    }
    let item = engine
        .outbox(Some(d.account))?
        .into_iter()
        .find(|i| i.id == id);
    let v = serde_json::json!({ "outbox": id, "state": item.as_ref().map(|i| i.state), "error": item.as_ref().and_then(|i| i.error.clone()) });
    out.emit(&v, || match &item {
        None => format!("Sent (outbox {id})."),
        Some(i) => match &i.error {
            Some(e) => format!("Not sent, kept in the outbox as {id}: {}", e.message),
            None => format!("Queued in the outbox as {id}."),
        },
    });
    // A failure is an error exit, so scripts notice; the message stays in the outbox.
    if let Some(e) = item.and_then(|i| i.error) {
        return Err(e.into());
    }
    Ok(())
}

pub async fn run(engine: &Engine, cmd: WriteCmd, out: &Out) -> Result<()> {
    match cmd {
        WriteCmd::Send {
            from,
            rcpt,
            subject,
            attach,
            html,
            send,
        } => {
            let account = resolve_one(engine, &from)?;
            let mut d = Draft {
                account: account.id,
                subject,
                text: stdin_text()?,
                ..Draft::default()
            };
            fill(&mut d, &rcpt);
            if let Some(h) = html {
                d.html = Some(std::fs::read_to_string(&h).with_context(|| format!("Reading {h}"))?);
            }
            for path in attach {
                let name = std::path::Path::new(&path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "attachment".into());
                d.attachments.push(DraftAttachment {
                    filename: name,
                    mime: String::new(),
                    content: Content::Path(path),
                });
            }
            go(engine, &d, None, &send, out).await
        }
        WriteCmd::Reply { id, all, send } => {
            let kind = if all {
                ReplyKind::All
            } else {
                ReplyKind::Sender
            };
            let mut d = engine.reply_draft(id, kind).await?;
            d.text = format!("{}{}", stdin_text()?.trim_end(), d.text);
            go(engine, &d, None, &send, out).await
        }
        WriteCmd::Forward {
            id,
            rcpt,
            as_attachment,
            send,
        } => {
            let mut d = engine.forward_draft(id, as_attachment).await?;
            fill(&mut d, &rcpt);
            d.text = format!("{}{}", stdin_text()?.trim_end(), d.text);
            go(engine, &d, None, &send, out).await
        }
        WriteCmd::Outbox {
            cancel,
            retry,
            flush,
        } => {
            if let Some(id) = cancel {
                let draft = engine.cancel_send(id)?;
                out.emit(&serde_json::json!({ "draft": draft }), || {
                    format!("Cancelled; it is draft {draft} now.")
                });
                return Ok(());
            }
            if let Some(id) = retry {
                engine.retry_send(id)?;
            }
            if flush || retry.is_some() {
                for a in engine.accounts()? {
                    engine.flush_outbox(a.id).await?;
                }
            }
            let items = engine.outbox(None)?;
            out.emit(&items, || {
                items
                    .iter()
                    .map(|i| {
                        let err = i
                            .error
                            .as_ref()
                            .map(|e| format!(" — {}", e.message))
                            .unwrap_or_default();
                        format!(
                            "{:>5}  {:?}  {}  to {}{err}",
                            i.id,
                            i.state,
                            i.subject,
                            i.recipients.join(", ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        WriteCmd::Draft(cmd) => draft(engine, cmd, out).await,
    }
}

async fn draft(engine: &Engine, cmd: DraftCmd, out: &Out) -> Result<()> {
    match cmd {
        DraftCmd::Save {
            from,
            id,
            rcpt,
            subject,
        } => {
            let account = resolve_one(engine, &from)?;
            let mut d = Draft {
                account: account.id,
                subject,
                text: stdin_text()?,
                ..Draft::default()
            };
            fill(&mut d, &rcpt);
            let id = engine.save_draft(id, &d)?;
            engine.flush_outbox(account.id).await?;
            out.emit(&serde_json::json!({ "draft": id }), || {
                format!("Saved as draft {id}.")
            });
        }
        DraftCmd::List => {
            let v = engine.drafts(None)?;
            out.emit(&v, || {
                v.iter()
                    .map(|d| {
                        format!(
                            "{:>5}  {}  to {}{}",
                            d.id,
                            d.subject,
                            d.to.join(", "),
                            if d.synced {
                                ""
                            } else {
                                "  (not on the server yet)"
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        DraftCmd::Show { id } => {
            let d = engine.draft(id)?;
            out.emit(&d, || {
                let list = |v: &[tern_engine::message::Address]| {
                    v.iter()
                        .map(|a| a.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!(
                    "To: {}\nCc: {}\nBcc: {}\nSubject: {}\n\n{}",
                    list(&d.to),
                    list(&d.cc),
                    list(&d.bcc),
                    d.subject,
                    d.text
                )
            });
        }
        DraftCmd::Delete { id } => {
            let account = engine.draft(id)?.account;
            engine.delete_draft(id)?;
            engine.flush_outbox(account).await?;
            out.emit(&serde_json::json!({ "deleted": id }), || {
                format!("Draft {id} deleted.")
            });
        }
        DraftCmd::Send { id, send } => {
            let d = engine.draft(id)?;
            go(engine, &d, Some(id), &send, out).await?;
        }
    }
    Ok(())
}
