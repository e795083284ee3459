//! Drafts in the cache: the user's words saved at once, and where the server copy is (see
//! `drafts.rs` for how it is kept in the Drafts folder).

use super::outbox::{insert_draft, now_ms, DraftId};
use super::Store;
use crate::account::AccountId;
use crate::compose::Draft;
use crate::error::{Error, ErrorKind, Result};
use crate::message::MessageId;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// A draft as the drafts list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftInfo {
    pub id: DraftId,
    pub account: AccountId,
    pub subject: String,
    pub to: Vec<String>,
    /// Unix milliseconds of the last save.
    pub updated_at: i64,
    /// The Drafts folder has the latest version.
    pub synced: bool,
    /// The last failure to save it on the server, empty if none.
    pub last_error: String,
}

/// A copy of a draft on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerCopy {
    pub folder: String,
    pub uidvalidity: u32,
    pub uid: u32,
    pub message_id: String,
}

/// What the draft sync needs about one draft.
#[derive(Debug, Clone)]
pub(crate) struct DraftRow {
    pub id: DraftId,
    pub draft: Draft,
    pub deleted: bool,
    pub updated_at: i64,
    pub attempts: u32,
    pub server: Option<ServerCopy>,
    /// A version whose APPEND was started: (Message-ID, bytes).
    pub appending: Option<(String, Vec<u8>)>,
    /// Older server copies still to delete.
    pub stale: Vec<ServerCopy>,
}

impl Store {
    /// Saves a draft locally at once; its server copy follows after `debounce_ms` (later
    /// saves within that time push it out, so typing makes one APPEND, not dozens).
    pub(crate) fn save_draft(
        &self,
        id: Option<DraftId>,
        draft: &Draft,
        debounce_ms: i64,
    ) -> Result<DraftId> {
        let json = serde_json::to_string(draft).unwrap_or_default();
        let now = now_ms();
        self.write(|c| {
            let Some(id) = id else {
                let id = insert_draft(c, draft.account, &json, now)?;
                c.execute(
                    "UPDATE drafts SET sync_at = ?2 WHERE id = ?1",
                    params![id, now + debounce_ms],
                )?;
                return Ok(Ok(id));
            };
            let n = c.execute(
                "UPDATE drafts SET draft = ?2, account_id = ?3, updated_at = ?4, sync_at = ?5, attempts = 0
                 WHERE id = ?1 AND state = 'editing'",
                params![id, json, draft.account, now, now + debounce_ms],
            )?;
            Ok(if n == 0 {
                Err(Error::new(
                    ErrorKind::NotFound,
                    "That draft was sent or deleted",
                ))
            } else {
                Ok(id)
            })
        })?
    }

    /// Drafts being edited, newest first; one account's or everyone's.
    pub fn drafts(&self, account: Option<AccountId>) -> Result<Vec<DraftInfo>> {
        self.read(|c| {
            let mut st = c.prepare(
                "SELECT id, account_id, draft, updated_at, sync_at, append_message_id, last_error FROM drafts
                 WHERE state = 'editing' AND (?1 IS NULL OR account_id = ?1) ORDER BY updated_at DESC, id DESC",
            )?;
            let rows = st.query_map([account], |r| {
                let d: Draft = serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or_default();
                Ok(DraftInfo {
                    id: r.get(0)?,
                    account: r.get(1)?,
                    subject: d.subject,
                    to: d.to.iter().map(|a| a.to_string()).collect(),
                    updated_at: r.get(3)?,
                    synced: r.get::<_, i64>(4)? == 0 && r.get::<_, String>(5)?.is_empty(),
                    last_error: r.get(6)?,
                })
            })?;
            rows.collect()
        })
    }

    /// A draft being edited.
    pub fn draft(&self, id: DraftId) -> Result<Draft> {
        let json: Option<String> = self.read(|c| {
            c.query_row(
                "SELECT draft FROM drafts WHERE id = ?1 AND state = 'editing'",
                [id],
                |r| r.get(0),
            )
            .optional()
        })?;
        let json = json.ok_or_else(|| Error::new(ErrorKind::NotFound, "No such draft"))?;
        serde_json::from_str(&json).map_err(|e| {
            Error::new(
                ErrorKind::Storage,
                format!("A stored draft is unreadable: {e}"),
            )
        })
    }

    /// Deletes a draft: at once here, its server copies as soon as the task runs.
    pub(crate) fn delete_draft(&self, id: DraftId) -> Result<AccountId> {
        let account = self.write(|c| {
            c.query_row(
                "UPDATE drafts SET state = 'deleted', sync_at = ?2, attempts = 0
                 WHERE id = ?1 AND state = 'editing' RETURNING account_id",
                params![id, now_ms()],
                |r| r.get::<_, AccountId>(0),
            )
            .optional()
        })?;
        account.ok_or_else(|| Error::new(ErrorKind::NotFound, "No such draft"))
    }

    /// The local draft continuing a message of the Drafts folder: the one already made from
    /// it, or a new one whose server copy is that message.
    pub(crate) fn adopt_draft(
        &self,
        message: MessageId,
        draft: &Draft,
        copy: &ServerCopy,
    ) -> Result<DraftId> {
        let json = serde_json::to_string(draft).unwrap_or_default();
        let _ = message;
        self.write(|c| {
            let tx = c.transaction()?;
            let existing: Option<DraftId> = tx
                .query_row(
                    "SELECT id FROM drafts WHERE account_id = ?1 AND state = 'editing'
                       AND server_message_id <> '' AND server_message_id = ?2",
                    params![draft.account, copy.message_id],
                    |r| r.get(0),
                )
                .optional()?;
            let id = match existing {
                Some(id) => id,
                None => {
                    tx.execute(
                        "INSERT INTO drafts (account_id, draft, updated_at, sync_at, server_folder, server_uidvalidity, server_uid, server_message_id)
                         VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7)",
                        params![draft.account, json, now_ms(), copy.folder, copy.uidvalidity, copy.uid, copy.message_id],
                    )?;
                    tx.last_insert_rowid()
                }
            };
            tx.commit()?;
            Ok(id)
        })
    }

    /// Unix ms of the account's next draft sync that has not failed yet, if any.
    pub(crate) fn drafts_waiting(&self, account: AccountId) -> Result<Option<i64>> {
        self.read(|c| {
            c.query_row(
                "SELECT min(sync_at) FROM drafts WHERE account_id = ?1 AND sync_at > 0 AND attempts = 0",
                [account],
                |r| r.get(0),
            )
        })
    }

    /// Drafts whose server copy is due.
    pub(crate) fn due_drafts(&self, account: AccountId) -> Result<Vec<DraftRow>> {
        self.read(|c| {
            let mut st = c.prepare(
                "SELECT id, draft, state, updated_at, attempts, server_folder, server_uidvalidity, server_uid,
                        server_message_id, append_message_id, append_raw, stale
                 FROM drafts WHERE account_id = ?1 AND sync_at > 0 AND sync_at <= ?2 ORDER BY sync_at",
            )?;
            let rows = st.query_map(params![account, now_ms()], |r| {
                let folder: String = r.get(5)?;
                let appending: String = r.get(9)?;
                Ok(DraftRow {
                    id: r.get(0)?,
                    draft: serde_json::from_str(&r.get::<_, String>(1)?).unwrap_or_default(),
                    deleted: r.get::<_, String>(2)? == "deleted",
                    updated_at: r.get(3)?,
                    attempts: r.get(4)?,
                    server: (!folder.is_empty()).then(|| ServerCopy {
                        folder,
                        uidvalidity: r.get(6).unwrap_or(0),
                        uid: r.get(7).unwrap_or(0),
                        message_id: r.get(8).unwrap_or_default(),
                    }),
                    appending: (!appending.is_empty()).then(|| (appending, r.get(10).unwrap_or_default())),
                    stale: serde_json::from_str(&r.get::<_, String>(11)?).unwrap_or_default(),
                })
            })?;
            rows.collect()
        })
    }

    /// Marks a version's APPEND as started, before the command, so a rerun after a crash
    /// looks for it on the server before appending again.
    pub(crate) fn draft_append_started(
        &self,
        id: DraftId,
        message_id: &str,
        raw: &[u8],
    ) -> Result<()> {
        self.write(|c| {
            c.execute(
                "UPDATE drafts SET append_message_id = ?2, append_raw = ?3 WHERE id = ?1",
                params![id, message_id, raw],
            )
            .map(|_| ())
        })
    }

    /// The new copy is on the server: it becomes the draft's copy and the old ones are
    /// stale. The draft is in sync unless it was saved again after `updated_at`.
    pub(crate) fn draft_appended(
        &self,
        id: DraftId,
        updated_at: i64,
        copy: &ServerCopy,
        stale: &[ServerCopy],
    ) -> Result<()> {
        let stale = serde_json::to_string(stale).unwrap_or_default();
        self.write(|c| {
            c.execute(
                "UPDATE drafts SET server_folder = ?2, server_uidvalidity = ?3, server_uid = ?4, server_message_id = ?5,
                        append_message_id = '', append_raw = x'', stale = ?6, attempts = 0, last_error = '',
                        sync_at = CASE WHEN updated_at = ?7 THEN 0 ELSE sync_at END
                 WHERE id = ?1",
                params![id, copy.folder, copy.uidvalidity, copy.uid, copy.message_id, stale, updated_at],
            )
            .map(|_| ())
        })
    }

    /// Old copies are deleted on the server; a deleted draft goes for good.
    pub(crate) fn draft_cleaned(&self, id: DraftId, deleted: bool) -> Result<()> {
        self.write(|c| {
            if deleted {
                c.execute("DELETE FROM drafts WHERE id = ?1", [id])?;
            } else {
                c.execute("UPDATE drafts SET stale = '[]' WHERE id = ?1", [id])?;
            }
            Ok(())
        })
    }

    /// The server copy could not be written: try again at `next` (Unix ms).
    pub(crate) fn draft_retry(&self, id: DraftId, e: &Error, next: i64) -> Result<()> {
        self.write(|c| {
            c.execute(
                "UPDATE drafts SET sync_at = CASE WHEN sync_at = 0 OR sync_at < ?2 THEN ?2 ELSE sync_at END,
                        attempts = attempts + 1, last_error = ?3 WHERE id = ?1",
                params![id, next, e.message],
            )
            .map(|_| ())
        })
    }

    /// The UIDVALIDITY the cache knows for a folder of the account (0 if unknown).
    pub(crate) fn folder_uidvalidity(&self, account: AccountId, name: &str) -> Result<u32> {
        self.read(|c| {
            c.query_row(
                "SELECT uidvalidity FROM folders WHERE account_id = ?1 AND name = ?2",
                params![account, name],
                |r| r.get(0),
            )
            .optional()
            .map(|v| v.unwrap_or(0))
        })
    }
}
