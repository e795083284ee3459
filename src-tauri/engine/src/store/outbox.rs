//! The outbox in the cache: messages queued for sending with their state, each change one
//! transaction (see `outbox.rs` for the design and the exactly-once rules).

use super::Store;
use crate::account::AccountId;
use crate::compose::{Built, Draft};
use crate::error::{Error, ErrorKind, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// The row id of a queued message; never reused.
pub type OutboxId = i64;
/// The row id of a local draft; never reused.
pub type DraftId = i64;

/// Where a queued message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutboxState {
    /// Waiting for its time (the undo delay, or the next retry).
    Queued,
    /// Being submitted now.
    Sending,
    /// The server accepted it; saving to Sent and marking the original are left.
    Sent,
    /// The server refused it for good, or the outcome is unknown: it waits for the user
    /// (send again, or cancel to edit it as a draft).
    Failed,
}

impl OutboxState {
    fn parse(s: &str) -> OutboxState {
        match s {
            "sending" => OutboxState::Sending,
            "sent" => OutboxState::Sent,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Queued,
        }
    }
}

/// A message in the outbox, as the UI lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxItem {
    pub id: OutboxId,
    pub account: AccountId,
    pub state: OutboxState,
    pub subject: String,
    pub recipients: Vec<String>,
    /// Unix milliseconds: when it goes (end of the undo delay, or the next retry).
    pub send_at: i64,
    pub attempts: u32,
    /// The last failure, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

/// Everything the sender needs about one queued message.
#[derive(Debug, Clone)]
pub(crate) struct OutboxRow {
    pub id: OutboxId,
    pub draft: Draft,
    pub draft_id: DraftId,
    pub message_id: String,
    pub sender: String,
    pub recipients: Vec<String>,
    pub raw: Vec<u8>,
    pub attempts: u32,
    pub append_started: bool,
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn error_of(kind: &str, message: String) -> Option<Error> {
    if message.is_empty() {
        return None;
    }
    let kind = serde_json::from_str(kind).unwrap_or(ErrorKind::Network);
    Some(Error::new(kind, message))
}

const ROW: &str =
    "id, draft, draft_id, message_id, sender, recipients, raw, attempts, append_started";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        draft: serde_json::from_str(&r.get::<_, String>(1)?).unwrap_or_default(),
        draft_id: r.get(2)?,
        message_id: r.get(3)?,
        sender: r.get(4)?,
        recipients: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
        raw: r.get(6)?,
        attempts: r.get(7)?,
        append_started: r.get(8)?,
    })
}

impl Store {
    /// Queues a built message to go at `send_at` (Unix ms), in one transaction with taking
    /// its draft (if any) out of the drafts list.
    pub(crate) fn queue_send(
        &self,
        draft: &Draft,
        draft_id: Option<DraftId>,
        built: &Built,
        send_at: i64,
    ) -> Result<OutboxId> {
        self.write(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO outbox (account_id, draft, draft_id, message_id, sender, recipients, raw, send_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    draft.account,
                    json(draft),
                    draft_id.unwrap_or(0),
                    built.message_id,
                    built.from,
                    json(&built.recipients),
                    built.raw,
                    send_at
                ],
            )?;
            let id = tx.last_insert_rowid();
            if let Some(d) = draft_id {
                tx.execute(
                    "UPDATE drafts SET state = 'sending', sync_at = 0 WHERE id = ?1 AND state = 'editing'",
                    [d],
                )?;
            }
            tx.commit()?;
            Ok(id)
        })
    }

    /// The outbox, oldest first; one account's or everyone's.
    pub fn outbox(&self, account: Option<AccountId>) -> Result<Vec<OutboxItem>> {
        self.read(|c| {
            let mut st = c.prepare(
                "SELECT id, account_id, state, draft, recipients, send_at, attempts, error_kind, last_error
                 FROM outbox WHERE ?1 IS NULL OR account_id = ?1 ORDER BY id",
            )?;
            let rows = st.query_map([account], |r| {
                let draft: Draft = serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default();
                Ok(OutboxItem {
                    id: r.get(0)?,
                    account: r.get(1)?,
                    state: OutboxState::parse(&r.get::<_, String>(2)?),
                    subject: draft.subject,
                    recipients: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
                    send_at: r.get(5)?,
                    attempts: r.get(6)?,
                    error: error_of(&r.get::<_, String>(7)?, r.get(8)?),
                })
            })?;
            rows.collect()
        })
    }

    /// Takes a message out of the outbox before it goes, giving back its draft: the one it
    /// came from, or a new one. Refused once sending has started.
    pub(crate) fn cancel_send(&self, id: OutboxId) -> Result<(AccountId, DraftId)> {
        self.write(|c| {
            let tx = c.transaction()?;
            let found: Option<(AccountId, String, DraftId, String)> = tx
                .query_row(
                    "SELECT account_id, state, draft_id, draft FROM outbox WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((account, state, draft_id, draft)) = found else {
                return Ok(Err(Error::new(
                    ErrorKind::NotFound,
                    "That message is no longer in the outbox (it was sent or cancelled)",
                )));
            };
            if state != "queued" && state != "failed" {
                return Ok(Err(Error::new(
                    ErrorKind::Refused,
                    "Too late to cancel: the message is being sent or was sent",
                )));
            }
            tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
            let now = now_ms();
            let back = tx.execute(
                "UPDATE drafts SET state = 'editing', draft = ?2, updated_at = ?3, sync_at = ?3
                 WHERE id = ?1 AND state = 'sending'",
                params![draft_id, draft, now],
            )?;
            let draft_id = if back > 0 {
                draft_id
            } else {
                insert_draft(&tx, account, &draft, now)?
            };
            tx.commit()?;
            Ok(Ok((account, draft_id)))
        })?
    }

    /// Sends a failed message again: queued for now.
    pub(crate) fn retry_send(&self, id: OutboxId) -> Result<AccountId> {
        let account = self.write(|c| {
            c.query_row(
                "UPDATE outbox SET state = 'queued', send_at = ?2, data_started = 0,
                        error_kind = '', last_error = ''
                 WHERE id = ?1 AND state = 'failed' RETURNING account_id",
                params![id, now_ms()],
                |r| r.get::<_, AccountId>(0),
            )
            .optional()
        })?;
        account.ok_or_else(|| Error::new(ErrorKind::NotFound, "No failed message with that id"))
    }

    /// The next queued message that is due, claimed for sending (so a cancel now fails and
    /// no other sender takes it).
    pub(crate) fn claim_due(&self, account: AccountId) -> Result<Option<OutboxRow>> {
        self.write(|c| {
            let tx = c.transaction()?;
            let r = tx
                .query_row(
                    &format!("SELECT {ROW} FROM outbox WHERE account_id = ?1 AND state = 'queued' AND send_at <= ?2 ORDER BY send_at, id LIMIT 1"),
                    params![account, now_ms()],
                    row,
                )
                .optional()?;
            if let Some(r) = &r {
                tx.execute("UPDATE outbox SET state = 'sending' WHERE id = ?1", [r.id])?;
            }
            tx.commit()?;
            Ok(r)
        })
    }

    /// Sent messages whose Sent copy and flags are due.
    pub(crate) fn sent_due(&self, account: AccountId) -> Result<Vec<OutboxRow>> {
        self.read(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {ROW} FROM outbox WHERE account_id = ?1 AND state = 'sent' AND send_at <= ?2 ORDER BY id"
            ))?;
            let rows = st.query_map(params![account, now_ms()], row)?;
            rows.collect()
        })
    }

    /// Messages left `sending` by a run that stopped: (those that never reached DATA, which
    /// are queued again, and those that did, whose outcome is unknown).
    pub(crate) fn interrupted_sends(&self, account: AccountId) -> Result<Vec<OutboxRow>> {
        self.write(|c| {
            c.execute(
                "UPDATE outbox SET state = 'queued' WHERE account_id = ?1 AND state = 'sending' AND data_started = 0",
                [account],
            )?;
            let mut st = c.prepare(&format!(
                "SELECT {ROW} FROM outbox WHERE account_id = ?1 AND state = 'sending'"
            ))?;
            let rows = st.query_map([account], row)?;
            rows.collect()
        })
    }

    /// Unix ms of the account's next due outbox or draft work, if any.
    pub(crate) fn next_due(&self, account: AccountId) -> Result<Option<i64>> {
        self.read(|c| {
            c.query_row(
                "SELECT min(t) FROM (
                   SELECT min(send_at) AS t FROM outbox WHERE account_id = ?1 AND state IN ('queued', 'sent')
                   UNION ALL
                   SELECT min(sync_at) FROM drafts WHERE account_id = ?1 AND sync_at > 0)",
                [account],
                |r| r.get(0),
            )
        })
    }

    pub(crate) fn outbox_set(&self, id: OutboxId, column: &str) -> Result<()> {
        let sql = match column {
            "data_started" => "UPDATE outbox SET data_started = 1 WHERE id = ?1",
            "append_started" => "UPDATE outbox SET append_started = 1 WHERE id = ?1",
            _ => return Err(Error::new(ErrorKind::Storage, "unknown outbox column")),
        };
        self.write(|c| c.execute(sql, [id]).map(|_| ()))
    }

    /// The server accepted the message: Sent copy and flags next, at once.
    pub(crate) fn send_succeeded(&self, id: OutboxId) -> Result<()> {
        self.write(|c| {
            c.execute(
                "UPDATE outbox SET state = 'sent', send_at = 0, attempts = 0, error_kind = '', last_error = '' WHERE id = ?1",
                [id],
            )
            .map(|_| ())
        })
    }

    /// A transient failure: try again at `next` (Unix ms). `state` is where it goes back to
    /// (`queued` before sending, `sent` for the Sent copy).
    pub(crate) fn outbox_retry(
        &self,
        id: OutboxId,
        state: &str,
        e: &Error,
        next: i64,
    ) -> Result<()> {
        self.write(|c| {
            c.execute(
                "UPDATE outbox SET state = ?2, send_at = ?3, attempts = attempts + 1, error_kind = ?4, last_error = ?5 WHERE id = ?1",
                params![id, state, next, json(&e.kind), e.message],
            )
            .map(|_| ())
        })
    }

    /// A permanent failure (or an unknown outcome): kept, with the reason, for the user.
    pub(crate) fn send_failed(&self, id: OutboxId, e: &Error) -> Result<()> {
        self.write(|c| {
            c.execute(
                "UPDATE outbox SET state = 'failed', attempts = attempts + 1, error_kind = ?2, last_error = ?3 WHERE id = ?1",
                params![id, json(&e.kind), e.message],
            )
            .map(|_| ())
        })
    }

    /// All done: the row goes, and its draft (if any) is queued for deletion on the server.
    pub(crate) fn send_finished(&self, id: OutboxId, draft_id: DraftId) -> Result<()> {
        self.write(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
            if draft_id > 0 {
                tx.execute(
                    "UPDATE drafts SET state = 'deleted', sync_at = ?2 WHERE id = ?1",
                    params![draft_id, now_ms()],
                )?;
            }
            tx.commit()
        })
    }
}

pub(super) fn insert_draft(
    c: &Connection,
    account: AccountId,
    draft: &str,
    now: i64,
) -> rusqlite::Result<DraftId> {
    c.execute(
        "INSERT INTO drafts (account_id, draft, updated_at, sync_at) VALUES (?1, ?2, ?3, ?3)",
        params![account, draft, now],
    )?;
    Ok(c.last_insert_rowid())
}
