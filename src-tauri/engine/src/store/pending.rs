//! The pending-operation queue in the cache: flag changes applied with their operation in
//! one transaction, the queue as replay sees it (start, fail, complete), and failures kept
//! for the user. Moves and copies are queued by `store/actions.rs`.

use super::folders::refresh_counts;
use super::handles::{self, Handle, Place};
use super::Store;
use crate::account::AccountId;
use crate::error::{Error, ErrorKind, Result};
use crate::folder::FolderId;
use crate::message::MessageId;
use crate::pending::{FailedOp, HandleId, Op, PendingOp};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{BTreeMap, BTreeSet};

/// What a change to the cache touched, for events. Keys are (account, folder).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Touched {
    /// Messages whose flags (or UID) changed in place.
    pub messages: BTreeMap<(AccountId, FolderId), Vec<MessageId>>,
    /// Messages that appeared in a folder (moved or copied there).
    pub added: BTreeMap<(AccountId, FolderId), Vec<MessageId>>,
    /// Messages that left a folder (moved away or deleted).
    pub removed: BTreeMap<(AccountId, FolderId), Vec<MessageId>>,
    /// Accounts whose queue of pending operations changed.
    pub queues: BTreeSet<AccountId>,
}

impl Touched {
    /// Every folder touched, for count updates.
    pub fn folders(&self) -> BTreeSet<(AccountId, FolderId)> {
        self.messages
            .keys()
            .chain(self.added.keys())
            .chain(self.removed.keys())
            .copied()
            .collect()
    }

    pub fn merge(&mut self, o: Touched) {
        for (map, other) in [
            (&mut self.messages, o.messages),
            (&mut self.added, o.added),
            (&mut self.removed, o.removed),
        ] {
            for (k, v) in other {
                map.entry(k).or_default().extend(v);
            }
        }
        self.queues.extend(o.queues);
    }
}

/// What the queueing code needs to know about a cached message.
pub(super) struct RowInfo {
    pub folder: FolderId,
    /// Negative while provisional (see `pending.rs`).
    pub uid: i64,
    pub account: AccountId,
    pub folder_name: String,
    pub uidvalidity: u32,
    pub message_id: String,
}

pub(super) fn row_info(c: &Connection, id: MessageId) -> rusqlite::Result<Option<RowInfo>> {
    c.prepare_cached(
        "SELECT m.folder_id, m.uid, f.account_id, f.name, f.uidvalidity, m.message_id
         FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(RowInfo {
            folder: r.get(0)?,
            uid: r.get(1)?,
            account: r.get(2)?,
            folder_name: r.get(3)?,
            uidvalidity: r.get(4)?,
            message_id: r.get(5)?,
        })
    })
    .optional()
}

/// The handle queued actions use for a row, settling one left over by a finished action.
/// `None` when the row is not provisional and no action in the queue uses it.
pub(super) fn live_handle(
    c: &Connection,
    row: MessageId,
    t: &mut Touched,
) -> rusqlite::Result<Option<(Handle, AccountId)>> {
    let Some(h) = handles::of_row(c, row)? else {
        return Ok(None);
    };
    match handles::queue_of(c, &h)? {
        Some(queue) => Ok(Some((h, queue))),
        None => {
            handles::settle(c, &h, t)?;
            Ok(None)
        }
    }
}

pub(super) fn insert_op(c: &Connection, account: AccountId, op: &Op) -> rusqlite::Result<i64> {
    let json = serde_json::to_string(op)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    c.prepare_cached("INSERT INTO pending_ops (account_id, op) VALUES (?1, ?2)")?
        .execute(params![account, json])?;
    let id = c.last_insert_rowid();
    handles::set_last_op(c, &op.handles(), id)?;
    Ok(id)
}

fn parse_op(id: i64, json: &str) -> Result<Op> {
    serde_json::from_str(json).map_err(|e| {
        Error::new(
            ErrorKind::Storage,
            format!("Unreadable queued action {id}: {e}"),
        )
    })
}

impl Store {
    /// Sets and clears flag bits on messages at once in the cache, and queues the same change
    /// for the server, in one transaction.
    pub fn queue_flags(&self, ids: &[MessageId], add: u32, remove: u32) -> Result<Touched> {
        self.write(|c| {
            let tx = c.transaction()?;
            let mut t = Touched::default();
            let mut per_folder: BTreeMap<FolderId, (AccountId, String, u32, Vec<u32>)> =
                BTreeMap::new();
            let mut per_queue: BTreeMap<AccountId, Vec<HandleId>> = BTreeMap::new();
            {
                let mut upd = tx.prepare_cached(
                    "UPDATE messages SET flags = (flags | ?2) & ~?3
                     WHERE id = ?1 AND flags <> ((flags | ?2) & ~?3)",
                )?;
                for id in ids {
                    let handle = live_handle(&tx, *id, &mut t)?;
                    let Some(row) = row_info(&tx, *id)? else {
                        continue;
                    };
                    if upd.execute(params![id, add, remove])? > 0 {
                        t.messages
                            .entry((row.account, row.folder))
                            .or_default()
                            .push(*id);
                    }
                    // Queue even when the cache already shows the state: the server may not.
                    match handle {
                        // Its UID depends on queued moves: name it by handle, in their queue.
                        Some((h, queue)) => per_queue.entry(queue).or_default().push(h.id),
                        None if row.uid > 0 => per_folder
                            .entry(row.folder)
                            .or_insert_with(|| {
                                (
                                    row.account,
                                    row.folder_name.clone(),
                                    row.uidvalidity,
                                    Vec::new(),
                                )
                            })
                            .3
                            .push(row.uid as u32),
                        None => {}
                    }
                }
            }
            for (folder, (account, name, uidvalidity, mut uids)) in per_folder {
                uids.sort_unstable();
                uids.dedup();
                let op = Op::Flags {
                    folder: name,
                    uidvalidity,
                    uids,
                    add,
                    remove,
                    handles: vec![],
                };
                insert_op(&tx, account, &op)?;
                t.queues.insert(account);
                refresh_counts(&tx, folder)?;
            }
            for (queue, handles) in per_queue {
                let op = Op::Flags {
                    folder: String::new(),
                    uidvalidity: 0,
                    uids: vec![],
                    add,
                    remove,
                    handles,
                };
                insert_op(&tx, queue, &op)?;
                t.queues.insert(queue);
            }
            for (_, folder) in t.messages.keys() {
                refresh_counts(&tx, *folder)?;
            }
            tx.commit()?;
            Ok(t)
        })
    }

    /// The account's queued operations, oldest first.
    pub fn pending_ops(&self, account: AccountId) -> Result<Vec<PendingOp>> {
        let rows: Vec<(i64, String, bool, u32, String)> = self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT id, op, started, attempts, last_error FROM pending_ops
                 WHERE account_id = ?1 ORDER BY id",
            )?;
            let rows = s
                .query_map([account], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect();
            rows
        })?;
        rows.into_iter()
            .map(|(id, json, started, attempts, last_error)| {
                let op = parse_op(id, &json)?;
                Ok(PendingOp {
                    id,
                    account,
                    description: op.describe(),
                    op,
                    started,
                    attempts,
                    last_error,
                })
            })
            .collect()
    }

    /// How many actions wait for the server, per account.
    pub fn pending_count(&self, account: AccountId) -> Result<u32> {
        self.read(|c| {
            c.query_row(
                "SELECT count(*) FROM pending_ops WHERE account_id = ?1",
                [account],
                |r| r.get(0),
            )
        })
    }

    /// Marks an operation started and returns it as it stands now (a cancel may have changed
    /// or removed it since the queue was read). From here on it can no longer be cancelled.
    pub(crate) fn start_op(&self, id: i64) -> Result<Option<PendingOp>> {
        let row: Option<(AccountId, String, u32, String)> = self.write(|c| {
            c.prepare_cached(
                "UPDATE pending_ops SET started = 1 WHERE id = ?1
                 RETURNING account_id, op, attempts, last_error",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()
        })?;
        let Some((account, json, attempts, last_error)) = row else {
            return Ok(None);
        };
        let op = parse_op(id, &json)?;
        Ok(Some(PendingOp {
            id,
            account,
            description: op.describe(),
            op,
            started: true,
            attempts,
            last_error,
        }))
    }

    /// Counts a transient failure; the operation stays queued.
    pub fn fail_op(&self, id: i64, error: &str) -> Result<()> {
        self.write(|c| {
            c.execute(
                "UPDATE pending_ops SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
                params![id, error],
            )
            .map(|_| ())
        })
    }

    /// Ends an operation: removes it, settles the handles no later operation uses, and with
    /// `failure` (a permanent refusal) keeps it for the user and lets the next sync restore
    /// the server's flags. One transaction.
    /// Returns what changed and the id of the stored failure.
    pub(crate) fn complete_op(
        &self,
        id: i64,
        failure: Option<&Error>,
    ) -> Result<(Touched, Option<i64>)> {
        self.write(|c| {
            let tx = c.transaction()?;
            let mut t = Touched::default();
            let mut failed = None;
            let row: Option<(AccountId, String)> = tx
                .query_row(
                    "DELETE FROM pending_ops WHERE id = ?1 RETURNING account_id, op",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((account, json)) = row {
                t.queues.insert(account);
                if let Ok(op) = serde_json::from_str::<Op>(&json) {
                    if failure.is_some() {
                        // The cache showed the change; a rescan brings back the server's
                        // flags, and anything a partial run left uncertain.
                        if let Op::Flags { folder, .. } = &op {
                            handles::mark_rescan(&tx, account, folder)?;
                        }
                        for h in op.handles() {
                            if let Some(h) = handles::load(&tx, h)? {
                                handles::mark_rescan(&tx, h.account, &h.folder)?;
                            }
                        }
                    }
                    handles::settle_op(&tx, id, &op.handles(), &mut t)?;
                }
                if let Some(e) = failure {
                    let kind = serde_json::to_value(e.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    tx.execute(
                        "INSERT INTO failed_ops (account_id, op, kind, error) VALUES (?1, ?2, ?3, ?4)",
                        params![account, json, kind, e.message],
                    )?;
                    failed = Some(tx.last_insert_rowid());
                }
            }
            handles::settle_orphans(&tx, &mut t)?;
            tx.commit()?;
            Ok((t, failed))
        })
    }

    /// Actions the server refused for good, newest first (of one account, or all).
    pub fn failed_ops(&self, account: Option<AccountId>) -> Result<Vec<FailedOp>> {
        type Row = (i64, AccountId, String, String, String, i64);
        let rows: Vec<Row> = self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT id, account_id, op, kind, error, created_at FROM failed_ops
                 WHERE ?1 IS NULL OR account_id = ?1 ORDER BY id DESC",
            )?;
            let rows = s
                .query_map([account], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect();
            rows
        })?;
        rows.into_iter()
            .map(|(id, account, json, kind, message, created_at)| {
                let op = parse_op(id, &json)?;
                let kind = serde_json::from_value(serde_json::Value::String(kind))
                    .unwrap_or(ErrorKind::Refused);
                Ok(FailedOp {
                    id,
                    account,
                    description: op.describe(),
                    op,
                    error: Error::new(kind, message),
                    created_at,
                })
            })
            .collect()
    }

    /// Forgets a failure the user has seen.
    pub fn dismiss_failure(&self, id: i64) -> Result<()> {
        self.write(|c| {
            c.execute("DELETE FROM failed_ops WHERE id = ?1", [id])
                .map(|_| ())
        })
    }

    pub(crate) fn handle(&self, id: HandleId) -> Result<Option<Handle>> {
        self.read(|c| handles::load(c, id))
    }

    /// Records where server commands left messages; `None` means gone.
    pub(crate) fn place_handles(&self, places: &[(HandleId, Option<Place>)]) -> Result<()> {
        if places.is_empty() {
            return Ok(());
        }
        self.write(|c| {
            let tx = c.transaction()?;
            for (id, p) in places {
                handles::place(&tx, *id, p.as_ref())?;
            }
            tx.commit()
        })
    }

    /// Marks handles whose message a COPY or APPEND is about to create (see `pending.rs`).
    pub(crate) fn mark_sent(&self, ids: &[HandleId]) -> Result<()> {
        self.write(|c| {
            let tx = c.transaction()?;
            for id in ids {
                tx.execute("UPDATE handles SET sent = 1 WHERE id = ?1", [id])?;
            }
            tx.commit()
        })
    }

    /// UIDs of a folder that are accounted for: cached rows, and messages held by handles
    /// (moving in or out). Sync fetches only UIDs outside this set.
    pub fn known_uids(&self, folder: FolderId) -> Result<std::collections::HashSet<u32>> {
        self.known_uids_from(folder, 1)
    }

    /// [`Store::known_uids`] at or above `from`: what new mail is checked against, without
    /// loading the whole folder's UIDs.
    pub fn known_uids_from(
        &self,
        folder: FolderId,
        from: u32,
    ) -> Result<std::collections::HashSet<u32>> {
        let f = self.folder(folder)?;
        let mut set: std::collections::HashSet<u32> =
            self.uids_from(folder, from)?.into_iter().collect();
        set.extend(
            self.read(|c| handles::held_uids(c, f.account_id, &f.name))?
                .into_iter()
                .filter(|u| *u >= from),
        );
        Ok(set)
    }

    /// Where the server holds a message now, as (account, folder name, UID): its handle's
    /// place while queued actions use it (the original's, for a copy not made yet), else
    /// the cache's folder and UID. `None` if the UID is not known.
    pub fn server_location(&self, id: MessageId) -> Result<Option<(AccountId, String, u32)>> {
        self.read(|c| {
            if let Some(h) = handles::of_row(c, id)? {
                let h = match (h.uid, h.source) {
                    (0, s) if s != 0 => match handles::load(c, s)? {
                        Some(src) => src,
                        None => return Ok(None),
                    },
                    _ => h,
                };
                return Ok((h.uid != 0).then_some((h.account, h.folder, h.uid)));
            }
            match row_info(c, id)? {
                Some(r) if r.uid > 0 => Ok(Some((r.account, r.folder_name, r.uid as u32))),
                _ => Ok(None),
            }
        })
    }

    /// Whether sync should fetch every UID the folder lacks (after a conflict or failure).
    pub fn needs_rescan(&self, folder: FolderId) -> Result<bool> {
        self.read(|c| {
            c.query_row("SELECT rescan FROM folders WHERE id = ?1", [folder], |r| {
                r.get(0)
            })
        })
    }

    /// The account's folders waiting for a rescan.
    pub fn folders_to_rescan(&self, account: AccountId) -> Result<Vec<FolderId>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT id FROM folders WHERE account_id = ?1 AND rescan = 1 AND selectable = 1",
            )?;
            let rows = s.query_map([account], |r| r.get(0))?.collect();
            rows
        })
    }
}
