//! `tern search` and the conversation commands: `tern list --threads` and `tern thread`.

use crate::output::{self, Out};
use crate::read::resolve_one;
use anyhow::{bail, Result};
use std::io::IsTerminal;
use tern_engine::message::{flags, Address, MessageSummary};
use tern_engine::search::{MARK_END, MARK_START};
use tern_engine::{Engine, SearchHit, Source, ThreadSummary};

/// What `tern search` was asked.
pub struct SearchArgs {
    pub query: String,
    pub folder: Option<String>,
    pub account: Option<String>,
    pub server: bool,
    pub offset: u32,
    pub limit: u32,
}

/// Quotes a folder or account name as a query value.
fn value(s: &str) -> String {
    format!("\"{}\"", s.replace('"', ""))
}

pub async fn search(engine: &Engine, a: SearchArgs, out: &Out) -> Result<()> {
    let hits = if a.server {
        let account = match &a.account {
            Some(k) => resolve_one(engine, k)?,
            None => {
                let mut all = engine.accounts()?;
                if all.len() != 1 {
                    bail!("Server search needs an account: add --account");
                }
                all.remove(0)
            }
        };
        let folder = match &a.folder {
            Some(f) => Some(engine.store().find_folder(account.id, f)?.id),
            None => None,
        };
        let mut hits = engine.search_server(account.id, folder, &a.query).await?;
        hits = hits
            .into_iter()
            .skip(a.offset as usize)
            .take(a.limit as usize)
            .collect();
        hits
    } else {
        // --folder and --account are the query's own in: and account: terms.
        let mut q = a.query.clone();
        if let Some(f) = &a.folder {
            q += &format!(" in:{}", value(f));
        }
        if let Some(k) = &a.account {
            q += &format!(" account:{}", value(k));
        }
        engine.search(&q, None, a.offset, a.limit)?
    };
    let tty = std::io::stdout().is_terminal();
    out.emit(&hits, || {
        if hits.is_empty() {
            return "No messages match.".into();
        }
        hits.iter()
            .map(|h| hit_line(h, tty))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

/// Shows match markers as bold on a terminal, and drops them otherwise.
fn marked(s: &str, tty: bool) -> String {
    let (on, off) = if tty {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    s.replace(MARK_START, on).replace(MARK_END, off)
}

fn hit_line(h: &SearchHit, tty: bool) -> String {
    let source = match h.source {
        Source::Local => ' ',
        Source::Server => 'S',
    };
    let m = &h.message;
    let mut line = format!(
        "{:>7} {}{source} {}  {:<24.24}  {}",
        m.id,
        marks(m),
        output::date(m.date),
        sender(m.from.as_ref()),
        marked(&h.highlighted_subject, tty)
    );
    if !h.highlighted_snippet.is_empty() {
        line += &format!("\n{:>12}{}", "", marked(&h.highlighted_snippet, tty));
    }
    line
}

/// Unread `*`, starred `!`, attachment `@`.
fn marks(m: &MessageSummary) -> String {
    let unread = if m.flags & flags::SEEN == 0 { '*' } else { ' ' };
    let star = if m.flags & flags::FLAGGED != 0 {
        '!'
    } else {
        ' '
    };
    let clip = if m.has_attachments { '@' } else { ' ' };
    format!("{unread}{star}{clip}")
}

fn sender(a: Option<&Address>) -> String {
    a.map(|a| {
        if a.name.is_empty() {
            a.email.clone()
        } else {
            a.name.clone()
        }
    })
    .unwrap_or_default()
}

/// `tern list --threads`: conversations with mail in the folder.
pub fn threads(
    engine: &Engine,
    key: Option<&str>,
    folder: &str,
    offset: u32,
    limit: u32,
    out: &Out,
) -> Result<()> {
    let account = match key {
        Some(k) => resolve_one(engine, k)?,
        None => match engine.accounts()?.into_iter().next() {
            Some(a) => a,
            None => bail!("No accounts. Add one with `tern account add`."),
        },
    };
    let f = engine.store().find_folder(account.id, folder)?;
    let threads = engine.threads(Some(f.id), offset, limit)?;
    out.emit(&threads, || {
        if threads.is_empty() {
            return format!("{} is empty", f.display_name);
        }
        threads
            .iter()
            .map(thread_line)
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

fn thread_line(t: &ThreadSummary) -> String {
    let unread = if t.unread > 0 { '*' } else { ' ' };
    let star = if t.starred { '!' } else { ' ' };
    let clip = if t.has_attachments { '@' } else { ' ' };
    let senders = t
        .senders
        .iter()
        .map(|a| sender(Some(a)))
        .collect::<Vec<_>>()
        .join(", ");
    let count = if t.count > 1 {
        format!(" ({})", t.count)
    } else {
        String::new()
    };
    format!(
        "{:>7} {unread}{star}{clip} {}  {:<24.24}  {}{count}",
        t.id,
        output::date(t.latest_date),
        senders,
        t.subject
    )
}

/// `tern thread ID`: a conversation's messages, oldest first, across folders.
pub fn thread(engine: &Engine, id: i64, out: &Out) -> Result<()> {
    let msgs = engine.thread_messages(id)?;
    if msgs.is_empty() {
        return Err(tern_engine::Error::new(
            tern_engine::ErrorKind::NotFound,
            format!("There is no conversation {id}"),
        )
        .into());
    }
    out.emit(&msgs, || {
        msgs.iter()
            .map(|m| {
                format!(
                    "{:>7} {} {}  folder {:<4} {:<24.24}  {}",
                    m.id,
                    marks(m),
                    output::date(m.date),
                    m.folder_id,
                    sender(m.from.as_ref()),
                    m.subject
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}
