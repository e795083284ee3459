//! `tern sync | folders | list | show | watch`.

use crate::output::{self, Out};
use anyhow::{bail, Result};
use tern_engine::{Account, Engine, Event};

/// Finds an account by id or email address.
pub fn resolve_one(engine: &Engine, key: &str) -> Result<Account> {
    let accounts = engine.accounts()?;
    let found = accounts
        .into_iter()
        .find(|a| a.id.to_string() == key || a.config.email.eq_ignore_ascii_case(key));
    match found {
        Some(a) => Ok(a),
        None => Err(tern_engine::Error::new(
            tern_engine::ErrorKind::NotFound,
            format!("There is no account '{key}'"),
        )
        .into()),
    }
}

/// The named account, or every account when none is named.
fn resolve(engine: &Engine, key: Option<&str>) -> Result<Vec<Account>> {
    match key {
        Some(k) => Ok(vec![resolve_one(engine, k)?]),
        None => {
            let all = engine.accounts()?;
            if all.is_empty() {
                bail!("No accounts. Add one with `tern account add`.");
            }
            Ok(all)
        }
    }
}

pub async fn sync(engine: &Engine, key: Option<&str>, out: &Out) -> Result<()> {
    let accounts = resolve(engine, key)?;
    let mut events = engine.events();
    // Progress goes to stderr so stdout stays the summary.
    let progress = tokio::spawn(async move {
        while let Some(e) = events.recv().await {
            if let Event::SyncProgress {
                folder,
                done,
                total,
                ..
            } = e
            {
                eprintln!("  folder {folder}: {done}/{total}");
            }
        }
    });
    let mut reports = Vec::new();
    for a in &accounts {
        let r = engine.sync(a.id).await?;
        reports.push(serde_json::json!({ "account": a.id, "email": a.config.email, "report": r }));
        if !out.json {
            println!(
                "{}: {} folders, {} new, {} changed, {} removed, {} bodies in {:.2} s",
                a.config.email,
                r.folders,
                r.added,
                r.changed,
                r.removed,
                r.bodies,
                r.millis as f64 / 1000.0
            );
        }
    }
    progress.abort();
    // New mail is threaded (when it came in bulk) and indexed for search in the background
    // once inserts pause; this process is about to exit, so finish that here and `tern list
    // --threads` and `tern search` see everything.
    engine.store().catch_up_threads()?;
    engine.store().catch_up_search_index()?;
    if out.json {
        out.emit(&reports, String::new);
    }
    Ok(())
}

pub fn folders(engine: &Engine, key: Option<&str>, out: &Out) -> Result<()> {
    let mut all = Vec::new();
    for a in resolve(engine, key)? {
        let folders = engine.folders(a.id)?;
        if !out.json {
            println!("{}", a.config.email);
            for f in &folders {
                let role = if f.role.as_str().is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", f.role.as_str())
                };
                println!(
                    "  {}{}{}  {} unread / {} total",
                    "  ".repeat(f.depth()),
                    f.leaf_name(),
                    role,
                    f.unread,
                    f.total
                );
            }
        }
        all.push(
            serde_json::json!({ "account": a.id, "email": a.config.email, "folders": folders }),
        );
    }
    if out.json {
        out.emit(&all, String::new);
    }
    Ok(())
}

pub fn list(
    engine: &Engine,
    key: Option<&str>,
    folder: &str,
    offset: u32,
    limit: u32,
    out: &Out,
) -> Result<()> {
    let accounts = resolve(engine, key)?;
    let Some(a) = accounts.first() else {
        bail!("No account")
    };
    let f = engine.store().find_folder(a.id, folder)?;
    let msgs = engine.messages(f.id, offset, limit)?;
    out.emit(&msgs, || {
        if msgs.is_empty() {
            return format!("{} is empty", f.display_name);
        }
        msgs.iter()
            .map(|m| {
                let unread = if m.flags & tern_engine::message::flags::SEEN == 0 {
                    '*'
                } else {
                    ' '
                };
                let star = if m.flags & tern_engine::message::flags::FLAGGED != 0 {
                    '!'
                } else {
                    ' '
                };
                let clip = if m.has_attachments { '@' } else { ' ' };
                let from = m
                    .from
                    .as_ref()
                    .map(|a| {
                        if a.name.is_empty() {
                            a.email.clone()
                        } else {
                            a.name.clone()
                        }
                    })
                    .unwrap_or_default();
                format!(
                    "{:>7} {unread}{star}{clip} {}  {:<24.24}  {}",
                    m.id,
                    output::date(m.date),
                    from,
                    m.subject
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

pub async fn show(engine: &Engine, id: i64, html: bool, out: &Out) -> Result<()> {
    let m = engine.message(id).await?;
    out.emit(&m, || {
        let mut s = String::new();
        let join = |v: &[tern_engine::message::Address]| {
            v.iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        s += &format!(
            "From:    {}\n",
            m.summary
                .from
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_default()
        );
        s += &format!("To:      {}\n", join(&m.to));
        if !m.cc.is_empty() {
            s += &format!("Cc:      {}\n", join(&m.cc));
        }
        s += &format!("Date:    {}\n", output::date(m.summary.date));
        s += &format!("Subject: {}\n", m.summary.subject);
        if let Some(b) = &m.body {
            for a in &b.attachments {
                s += &format!(
                    "Attachment: {} ({}, {})\n",
                    a.filename,
                    a.mime,
                    output::size(a.size)
                );
            }
            s += "\n";
            s += if html && !b.html.is_empty() {
                &b.html
            } else {
                &b.text
            };
        }
        s
    });
    Ok(())
}

pub async fn watch(engine: &Engine, key: Option<&str>, out: &Out) -> Result<()> {
    let accounts = resolve(engine, key)?;
    let mut events = engine.events();
    for a in &accounts {
        engine.start(a.id)?;
    }
    if !out.json {
        eprintln!(
            "Watching {} account(s) for new mail; Ctrl-C to stop.",
            accounts.len()
        );
    }
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            e = events.recv() => match e {
                None => return Ok(()),
                Some(Event::NewMail { account, folder, messages }) => {
                    for m in messages {
                        let v = serde_json::json!({ "event": "new-mail", "account": account, "folder": folder, "message": m });
                        out.line(&v, || {
                            let from = m.from.as_ref().map(|a| a.to_string()).unwrap_or_default();
                            format!("{} {:>7}  {}  {}", output::date(m.date), m.id, from, m.subject)
                        });
                    }
                }
                Some(Event::AccountError { account, error }) => {
                    let v = serde_json::json!({ "event": "error", "account": account, "error": error });
                    out.line(&v, || format!("account {account}: {error}"));
                }
                Some(Event::SyncState { account, syncing: false, online: true }) if !out.json => {
                    eprintln!("account {account}: up to date");
                }
                Some(_) => {}
            }
        }
    }
}
