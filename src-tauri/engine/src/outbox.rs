//! Sending with an outbox: queued messages go out over SMTP when due, exactly once, then are
//! saved to Sent; drafts are synced to the Drafts folder by the same task (`drafts.rs`).
//!
//! # Design
//!
//! `Engine::send` builds the message (attachment files are read then) and stores the bytes,
//! the envelope and the draft it came from as one `outbox` row, in one transaction with
//! taking that draft out of the drafts list; then it returns. The row *is* the pending
//! operation: like the IMAP queue it survives a crash or an offline week. Each account has
//! an outbox task beside its worker (started and stopped with it; the CLI drives the same
//! steps through `Engine::flush_outbox`). It sleeps until the earliest due row, or until
//! woken by a new one.
//!
//! - **Undo send.** A row is due at `send_at` = queued time + the delay (0, 5, 10 or 30 s).
//!   Until the task claims it (state `queued` -> `sending`, one transaction),
//!   `Engine::cancel_send` deletes it and gives the draft back (the same draft row, or a new
//!   one). After the claim a cancel is refused.
//! - **Retries.** A network failure, timeout or 4xx reply before DATA puts the row back to
//!   `queued` with `send_at` pushed out by the worker's backoff. A permanent refusal (5xx:
//!   a rejected recipient, which is named; too large, 552; relay refused; bad login) marks
//!   it `failed` with the sentence; it stays in the outbox until the user retries
//!   (`Engine::retry_send`) or cancels it back into a draft. Nothing is dropped.
//! - **After sending.** The row becomes `sent`; the task APPENDs the same bytes to the
//!   special-use Sent folder with `\Seen` (unless the provider files sent mail itself:
//!   `smtp::server_saves_sent`), queues `\Answered`/`$Forwarded` on the original through the
//!   ordinary flags path, deletes the draft's server copy (`drafts.rs`) and drops the row.
//!   A failing APPEND is retried with backoff; the message has gone already.
//!
//! # Exactly once
//!
//! SMTP has no way to ask "did you get message X?", so the rule is about what we can know:
//! - `data_started` is committed before the DATA command (after every RCPT was accepted).
//!   A row found `sending` at start-up without it never reached DATA: the server discarded
//!   the transaction when the connection dropped (RFC 5321 §4.1.1.4), so it is sent again.
//! - With `data_started` (a crash, or a connection broken after DATA without a reply), the
//!   server may have accepted it. We look for its Message-ID in Sent (a provider that files
//!   sent mail itself has it there). Found: it counts as sent. Not found: the row is marked
//!   `failed` with "may have been sent" and waits for the user, rather than risking a second
//!   copy for every recipient.
//! - The residual risk: with a server that does not file sent mail, a crash in the window
//!   between the final "." and our commit of `sent` (milliseconds) leaves the user to decide;
//!   a duplicate happens only if they choose to send again.
//! - The Sent APPEND is marked before it is sent; a rerun first searches Sent for the
//!   Message-ID and adopts a copy it finds (the rule of `pending.rs`).

use crate::compose::OriginKind;
use crate::error::{Error, ErrorKind, Result};
use crate::events::Event;
use crate::folder::Role;
use crate::imap::ops::Conn;
use crate::imap::write::Original;
use crate::message::flags;
use crate::smtp;
use crate::store::outbox::{now_ms, OutboxRow};
use crate::sync::backoff;
use crate::worker::{Command, Ctx};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Notify};

/// The undo-send delays the UI offers, in seconds.
pub const UNDO_DELAYS: [u64; 4] = [0, 5, 10, 30];

/// The outbox task of one account: recover what a previous run left, then do due work and
/// sleep until the next is due or a wake arrives.
pub(crate) async fn run(ctx: Ctx, wake: Arc<Notify>, worker: mpsc::Sender<Command>) {
    recover(&ctx).await;
    loop {
        work(&ctx, Some(&worker)).await;
        let next = ctx.store.next_due(ctx.account.id).ok().flatten();
        match next {
            Some(at) => {
                let wait = Duration::from_millis((at - now_ms()).max(0) as u64);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = wake.notified() => {}
                }
            }
            None => wake.notified().await,
        }
    }
}

/// Settles rows a stopped run left in `sending` (see "Exactly once").
pub(crate) async fn recover(ctx: &Ctx) {
    let rows = match ctx.store.interrupted_sends(ctx.account.id) {
        Ok(rows) => rows,
        Err(e) => return ctx.report(&e),
    };
    for row in rows {
        let e = Error::new(
            ErrorKind::Network,
            "The connection broke while the server was receiving this message",
        );
        uncertain(ctx, &row, e).await;
    }
    changed(ctx);
}

/// Does everything due now: sends, Sent copies, draft syncs. Failures are stored per item.
pub(crate) async fn work(ctx: &Ctx, worker: Option<&mpsc::Sender<Command>>) {
    let mut conn: Option<Conn> = None;
    loop {
        let row = match ctx.store.claim_due(ctx.account.id) {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                ctx.report(&e);
                break;
            }
        };
        changed(ctx);
        send_one(ctx, row).await;
        changed(ctx);
    }
    if let Ok(rows) = ctx.store.sent_due(ctx.account.id) {
        for row in rows {
            match after_send(ctx, &mut conn, &row, worker).await {
                Ok(()) => {}
                Err(e) => {
                    conn = None;
                    let next = now_ms() + retry_delay(ctx, row.attempts).as_millis() as i64;
                    let _ = ctx.store.outbox_retry(row.id, "sent", &e, next);
                }
            }
            changed(ctx);
        }
    }
    crate::drafts::sync_due(ctx, &mut conn).await;
    if let Some(c) = conn {
        c.logout().await;
    }
}

fn retry_delay(ctx: &Ctx, attempts: u32) -> Duration {
    backoff(attempts, ctx.opts.retry_base, ctx.opts.retry_max)
}

fn changed(ctx: &Ctx) {
    ctx.events.send(Event::OutboxChanged {
        account: ctx.account.id,
    });
}

async fn password(ctx: &Ctx) -> Result<String> {
    let creds = ctx.creds.clone();
    let account = ctx.account.clone();
    tokio::task::spawn_blocking(move || creds.password(&account))
        .await
        .map_err(|e| Error::new(ErrorKind::Cancelled, e.to_string()))?
}

async fn send_one(ctx: &Ctx, row: OutboxRow) {
    let store = ctx.store.clone();
    let id = row.id;
    let r = match password(ctx).await {
        Ok(pw) => {
            smtp::submit(
                &ctx.account,
                &pw,
                &ctx.opts.timeouts,
                &row.sender,
                &row.recipients,
                &row.raw,
                || store.outbox_set(id, "data_started"),
            )
            .await
        }
        Err(e) => Err(smtp::SendFailure {
            transient: false,
            after_data: false,
            error: e,
        }),
    };
    let r = match r {
        Ok(()) => ctx.store.send_succeeded(id),
        Err(f) if f.after_data => {
            uncertain(ctx, &row, f.error).await;
            Ok(())
        }
        Err(f) if f.transient => {
            tracing::info!(
                outbox = id,
                "sending failed, will retry: {}",
                f.error.message
            );
            let next = now_ms() + retry_delay(ctx, row.attempts).as_millis() as i64;
            ctx.store.outbox_retry(id, "queued", &f.error, next)
        }
        Err(f) => failed(ctx, id, &f.error),
    };
    if let Err(e) = r {
        ctx.report(&e);
    }
}

fn failed(ctx: &Ctx, id: i64, e: &Error) -> Result<()> {
    tracing::warn!(outbox = id, "sending failed: {}", e.message);
    ctx.store.send_failed(id, e)?;
    ctx.events.send(Event::SendFailed {
        account: ctx.account.id,
        outbox: id,
    });
    Ok(())
}

/// The server may have the message: count it as sent if Sent has it, else ask the user.
async fn uncertain(ctx: &Ctx, row: &OutboxRow, e: Error) {
    let found = match in_sent(ctx, &row.message_id).await {
        Ok(found) => found,
        Err(err) => {
            tracing::info!(
                "could not check Sent for an interrupted message: {}",
                err.message
            );
            false
        }
    };
    let r = if found {
        ctx.store
            .send_succeeded(row.id)
            .and_then(|()| ctx.store.outbox_set(row.id, "append_started"))
    } else {
        let e = Error::new(
            e.kind,
            format!("{}. It may or may not have been sent: check your Sent folder or ask a recipient, then send it again or cancel it.", e.message.trim_end_matches('.')),
        );
        failed(ctx, row.id, &e)
    };
    if let Err(e) = r {
        ctx.report(&e);
    }
}

async fn in_sent(ctx: &Ctx, message_id: &str) -> Result<bool> {
    let Some(sent) = sent_folder(ctx)? else {
        return Ok(false);
    };
    let mut conn = ctx.connect().await?;
    conn.select(&sent).await?;
    let found = !conn.find_message_id(message_id).await?.is_empty();
    conn.logout().await;
    Ok(found)
}

fn sent_folder(ctx: &Ctx) -> Result<Option<String>> {
    Ok(ctx
        .store
        .folders(ctx.account.id)?
        .into_iter()
        .find(|f| f.role == Role::Sent && f.selectable)
        .map(|f| f.name))
}

pub(crate) async fn conn_of<'a>(ctx: &Ctx, conn: &'a mut Option<Conn>) -> Result<&'a mut Conn> {
    if conn.is_none() {
        *conn = Some(ctx.connect().await?);
    }
    conn.as_mut()
        .ok_or_else(|| Error::new(ErrorKind::Cancelled, "no connection"))
}

/// Sent copy, flags on the original, the draft's deletion; then the row goes.
async fn after_send(
    ctx: &Ctx,
    conn: &mut Option<Conn>,
    row: &OutboxRow,
    worker: Option<&mpsc::Sender<Command>>,
) -> Result<()> {
    let saves = ctx
        .account
        .config
        .smtp
        .as_ref()
        .is_some_and(smtp::server_saves_sent);
    if !saves {
        if let Some(sent) = sent_folder(ctx)? {
            append_sent(ctx, conn, row, &sent).await?;
        } else {
            tracing::info!(account = ctx.account.id, "no Sent folder; no copy kept");
        }
    }
    if let Some(origin) = row.draft.origin {
        let bit = match origin.kind {
            OriginKind::Reply => flags::ANSWERED,
            OriginKind::Forward => flags::FORWARDED,
        };
        // The original may be gone from the cache meanwhile; that is not a failure.
        if let Ok(t) = ctx.store.queue_flags(&[origin.message], bit, 0) {
            crate::replay::announce(&ctx.store, &ctx.events, &t);
            if let Some(tx) = worker {
                let _ = tx.try_send(Command::Replay);
            }
        }
    }
    ctx.store.send_finished(row.id, row.draft_id)?;
    if row.draft_id > 0 {
        ctx.events.send(Event::DraftsChanged {
            account: ctx.account.id,
        });
    }
    Ok(())
}

async fn append_sent(
    ctx: &Ctx,
    conn: &mut Option<Conn>,
    row: &OutboxRow,
    sent: &str,
) -> Result<()> {
    let c = conn_of(ctx, conn).await?;
    if row.append_started {
        c.select(sent).await?;
        if !c.find_message_id(&row.message_id).await?.is_empty() {
            return Ok(());
        }
    }
    ctx.store.outbox_set(row.id, "append_started")?;
    let m = Original {
        flags: "\\Seen".into(),
        internal_date: None,
        raw: row.raw.clone(),
    };
    c.append(sent, &m).await?;
    Ok(())
}

/// For an account whose worker is not running (the CLI): carries out the outbox now,
/// waiting out undo delays, until nothing is left that has not failed at least once.
pub(crate) async fn flush(ctx: &Ctx) -> Result<()> {
    recover(ctx).await;
    loop {
        work(ctx, None).await;
        let waiting = ctx
            .store
            .outbox(Some(ctx.account.id))?
            .into_iter()
            .filter(|i| {
                matches!(
                    i.state,
                    crate::store::OutboxState::Queued | crate::store::OutboxState::Sent
                ) && i.attempts == 0
            })
            .map(|i| i.send_at)
            .min();
        let drafts = ctx.store.drafts_waiting(ctx.account.id)?;
        let next = match (waiting, drafts) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => return Ok(()),
        };
        tokio::time::sleep(Duration::from_millis((next - now_ms()).max(0) as u64)).await;
    }
}
