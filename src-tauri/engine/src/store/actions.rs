//! Moves, copies and deletes in the cache, each applied with its queued operation in one
//! transaction, and the record that lets the last one be undone. See `pending.rs` for the
//! provisional rows and handles these create.

use super::folders::refresh_counts;
use super::fulltext;
use super::handles::{self, Handle};
use super::pending::{insert_op, live_handle, row_info, RowInfo, Touched};
use super::Store;
use crate::account::AccountId;
use crate::error::{Error, ErrorKind, Result};
use crate::folder::FolderId;
use crate::message::MessageId;
use crate::pending::{HandleId, Op};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What queueing an action did.
#[derive(Debug, Default, Clone)]
pub struct Queued {
    pub touched: Touched,
    /// The messages acted on: moved rows keep their ids; copies are new rows.
    pub ids: Vec<MessageId>,
    /// The undo record written for this action, if it can be undone.
    pub undo: Option<i64>,
}

/// The last action that can be undone: which messages were where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoRecord {
    pub id: i64,
    /// What the action was ("move", "delete", "archive", "junk", ...).
    pub kind: String,
    /// (message, the folder it was in before).
    pub items: Vec<(MessageId, FolderId)>,
}

/// A destination: folder row, its account and its server name.
struct Dest {
    folder: FolderId,
    account: AccountId,
    name: String,
}

/// Operations being built, per (queue account, destination account, destination name).
type Batches = BTreeMap<(AccountId, AccountId, String), Vec<(HandleId, HandleId)>>;

impl Store {
    /// Moves (or, with `copy`, copies) each message to its destination folder in the cache
    /// at once, and queues the server side. Moving a message back to where the server still
    /// has it cancels its pending move instead. With `undo_kind`, the action replaces the
    /// undo record. One transaction.
    pub fn queue_moves(
        &self,
        plan: &[(MessageId, FolderId)],
        copy: bool,
        undo_kind: Option<&str>,
    ) -> Result<Queued> {
        let mut dests = BTreeMap::new();
        for (_, to) in plan {
            if !dests.contains_key(to) {
                let f = self.folder(*to)?;
                if !f.selectable {
                    return Err(Error::new(
                        ErrorKind::Refused,
                        format!("{} cannot hold messages", f.display_name),
                    ));
                }
                let d = Dest {
                    folder: f.id,
                    account: f.account_id,
                    name: f.name,
                };
                dests.insert(*to, d);
            }
        }
        let q = self.write(|c| {
            let tx = c.transaction()?;
            let mut q = Queued::default();
            let mut batches = Batches::new();
            let mut undo = Vec::new();
            for (id, to) in plan {
                let dest = &dests[to];
                let handle = live_handle(&tx, *id, &mut q.touched)?;
                let Some(row) = row_info(&tx, *id)? else {
                    continue;
                };
                if !copy && row.folder == dest.folder {
                    continue;
                }
                if !copy {
                    if let Some((h, queue)) = &handle {
                        if h.account == dest.account
                            && h.folder == dest.name
                            && h.uid > 0
                            && cancel_moves(&tx, h, *queue, dest.folder, &mut q.touched)?
                        {
                            q.ids.push(*id);
                            undo.push((*id, row.folder));
                            continue;
                        }
                    }
                }
                let (h, queue) = match handle {
                    Some(x) => x,
                    None if row.uid > 0 => (new_handle(&tx, *id, &row)?, row.account),
                    None => continue,
                };
                let key = (queue, dest.account, dest.name.clone());
                if copy {
                    let c_id = insert_copy(&tx, *id, dest.folder)?;
                    let hc = handles::insert(
                        &tx,
                        &Handle {
                            id: 0,
                            account: dest.account,
                            folder: dest.name.clone(),
                            uidvalidity: 0,
                            uid: 0,
                            message_id: row.message_id.clone(),
                            row: c_id,
                            source: h.id,
                            last_op: 0,
                            sent: false,
                        },
                    )?;
                    batches.entry(key).or_default().push((h.id, hc));
                    q.ids.push(c_id);
                    q.touched
                        .added
                        .entry((dest.account, dest.folder))
                        .or_default()
                        .push(c_id);
                } else {
                    tx.prepare_cached(
                        "UPDATE messages SET folder_id = ?2, uid = -id WHERE id = ?1",
                    )?
                    .execute(params![id, dest.folder])?;
                    batches.entry(key).or_default().push((h.id, h.id));
                    q.ids.push(*id);
                    undo.push((*id, row.folder));
                    q.touched
                        .removed
                        .entry((row.account, row.folder))
                        .or_default()
                        .push(*id);
                    q.touched
                        .added
                        .entry((dest.account, dest.folder))
                        .or_default()
                        .push(*id);
                }
            }
            for ((queue, to_account, to), items) in batches {
                let op = if copy {
                    Op::Copy {
                        to_account,
                        to,
                        pairs: items,
                    }
                } else {
                    let handles = items.into_iter().map(|(h, _)| h).collect();
                    Op::Move {
                        to_account,
                        to,
                        handles,
                    }
                };
                insert_op(&tx, queue, &op)?;
                q.touched.queues.insert(queue);
            }
            handles::settle_orphans(&tx, &mut q.touched)?;
            if let (Some(kind), false) = (undo_kind, undo.is_empty()) {
                q.undo = Some(record_undo(&tx, kind, &undo)?);
            }
            for (_, f) in q.touched.folders() {
                refresh_counts(&tx, f)?;
            }
            tx.commit()?;
            Ok(q)
        })?;
        if copy && !q.ids.is_empty() {
            super::background::wake(&self.inner.background);
        }
        Ok(q)
    }

    /// Deletes messages for good: gone from the cache at once, `\Deleted` and UID EXPUNGE
    /// queued for the server. A copy not yet made is simply not made. One transaction.
    pub fn queue_expunge(&self, ids: &[MessageId]) -> Result<Queued> {
        self.write(|c| {
            let tx = c.transaction()?;
            let mut q = Queued::default();
            let mut per_queue: BTreeMap<AccountId, Vec<HandleId>> = BTreeMap::new();
            for id in ids {
                let handle = live_handle(&tx, *id, &mut q.touched)?;
                let Some(row) = row_info(&tx, *id)? else {
                    continue;
                };
                let (h, queue) = match handle {
                    Some((h, queue)) if h.uid == 0 && h.source != 0 => {
                        if cancel_copy(&tx, &h, queue)? {
                            remove(&tx, *id, &row, &mut q)?;
                            continue;
                        }
                        (h, queue)
                    }
                    Some(x) => x,
                    None if row.uid > 0 => (new_handle(&tx, *id, &row)?, row.account),
                    None => continue,
                };
                remove(&tx, *id, &row, &mut q)?;
                per_queue.entry(queue).or_default().push(h.id);
            }
            for (queue, handles) in per_queue {
                insert_op(&tx, queue, &Op::Expunge { handles })?;
                q.touched.queues.insert(queue);
            }
            handles::settle_orphans(&tx, &mut q.touched)?;
            for (_, f) in q.touched.folders() {
                refresh_counts(&tx, f)?;
            }
            tx.commit()?;
            Ok(q)
        })
    }

    /// The action that "undo" would take back now, if any.
    pub fn last_undo(&self) -> Result<Option<UndoRecord>> {
        let row: Option<(i64, String, String)> = self.read(|c| {
            c.query_row(
                "SELECT id, kind, items FROM undo_actions ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
        })?;
        Ok(row.map(|(id, kind, items)| UndoRecord {
            id,
            kind,
            items: serde_json::from_str(&items).unwrap_or_default(),
        }))
    }

    /// Takes the undo record `id` (only the latest action can be undone); it is used once.
    pub fn take_undo(&self, id: i64) -> Result<UndoRecord> {
        match self.last_undo()? {
            Some(r) if r.id == id => {
                self.write(|c| c.execute("DELETE FROM undo_actions WHERE id = ?1", [id]))?;
                Ok(r)
            }
            _ => Err(Error::new(
                ErrorKind::NotFound,
                "That action can no longer be undone",
            )),
        }
    }
}

/// A handle for a row that queued actions did not use yet: the server has it where the
/// cache shows it.
fn new_handle(c: &Connection, id: MessageId, row: &RowInfo) -> rusqlite::Result<Handle> {
    let mut h = Handle {
        id: 0,
        account: row.account,
        folder: row.folder_name.clone(),
        uidvalidity: row.uidvalidity,
        uid: row.uid as u32,
        message_id: row.message_id.clone(),
        row: id,
        source: 0,
        last_op: 0,
        sent: false,
    };
    h.id = handles::insert(c, &h)?;
    Ok(h)
}

/// Puts a copy of a cached message (headers, thread, body) into `folder`, provisional.
fn insert_copy(c: &Connection, id: MessageId, folder: FolderId) -> rusqlite::Result<MessageId> {
    // A placeholder UID below every provisional one, replaced by the row's own at once.
    c.prepare_cached(
        "INSERT INTO messages (folder_id, uid, flags, keywords, size, internal_date, date, modseq,
           subject, from_name, from_email, to_json, cc_json, reply_to_json, message_id, in_reply_to,
           refs, parts_json, has_attachments, snippet, thread_id)
         SELECT ?2, -(SELECT max(id) FROM messages) - 1, flags, keywords, size, internal_date, date, 0,
           subject, from_name, from_email, to_json, cc_json, reply_to_json, message_id, in_reply_to,
           refs, parts_json, has_attachments, snippet, thread_id
         FROM messages WHERE id = ?1",
    )?
    .execute(params![id, folder])?;
    let new = c.last_insert_rowid();
    c.prepare_cached("UPDATE messages SET uid = -id WHERE id = ?1")?
        .execute([new])?;
    c.prepare_cached(
        "INSERT INTO bodies (message_id, raw, text, html)
         SELECT ?2, raw, text, html FROM bodies WHERE message_id = ?1",
    )?
    .execute(params![id, new])?;
    // A body still waiting to be decoded (store/bodies.rs) waits in its copy too.
    c.prepare_cached(
        "INSERT INTO body_pending (message_id)
         SELECT ?2 FROM body_pending WHERE message_id = ?1",
    )?
    .execute(params![id, new])?;
    fulltext::queue(c, &[new])?;
    Ok(new)
}

fn remove(c: &Connection, id: MessageId, row: &RowInfo, q: &mut Queued) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM messages WHERE id = ?1")?
        .execute([id])?;
    q.ids.push(id);
    q.touched
        .removed
        .entry((row.account, row.folder))
        .or_default()
        .push(id);
    Ok(())
}

/// The queued operations of `queue` that use handle `h`: (id, started, op).
fn ops_using(
    c: &Connection,
    queue: AccountId,
    h: HandleId,
) -> rusqlite::Result<Vec<(i64, bool, Op)>> {
    let mut s = c.prepare_cached(
        "SELECT id, started, op FROM pending_ops WHERE account_id = ?1 ORDER BY id",
    )?;
    let rows = s.query_map([queue], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, bool>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, started, json) = row?;
        if let Ok(op) = serde_json::from_str::<Op>(&json) {
            if op.handles().contains(&h) {
                out.push((id, started, op));
            }
        }
    }
    Ok(out)
}

fn rewrite(c: &Connection, id: i64, op: &Op) -> rusqlite::Result<()> {
    if op.is_empty() {
        c.prepare_cached("DELETE FROM pending_ops WHERE id = ?1")?
            .execute([id])?;
    } else {
        let json = serde_json::to_string(op)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        c.prepare_cached("UPDATE pending_ops SET op = ?2 WHERE id = ?1")?
            .execute(params![id, json])?;
    }
    Ok(())
}

/// Takes a message out of every queued move, because the user moved it back to where the
/// server still has it (`to`, the handle's folder). Refused (false) when an operation using
/// it has started: the server may be moving it right now, so the caller queues a move back.
fn cancel_moves(
    c: &Connection,
    h: &Handle,
    queue: AccountId,
    to: FolderId,
    t: &mut Touched,
) -> rusqlite::Result<bool> {
    let ops = ops_using(c, queue, h.id)?;
    if ops.iter().any(|(_, started, _)| *started) {
        return Ok(false);
    }
    let mut last = 0;
    for (id, _, mut op) in ops {
        match &mut op {
            Op::Move { handles, .. } => {
                handles.retain(|x| *x != h.id);
                rewrite(c, id, &op)?;
            }
            _ => last = id,
        }
    }
    if last == 0 {
        // Nothing else to do on the server: the row gets its UID there back.
        return handles::settle(c, h, t).map(|_| true);
    }
    // Flag changes still wait; the row settles when they are done.
    handles::set_last_op(c, &[h.id], last)?;
    let from: FolderId = c
        .prepare_cached("SELECT folder_id FROM messages WHERE id = ?1")?
        .query_row([h.row], |r| r.get(0))?;
    c.prepare_cached("UPDATE messages SET folder_id = ?2, uid = -id WHERE id = ?1")?
        .execute(params![h.row, to])?;
    t.removed
        .entry((handles::folder_account(c, from)?, from))
        .or_default()
        .push(h.row);
    t.added.entry((h.account, to)).or_default().push(h.row);
    Ok(true)
}

/// Takes a copy that was never made out of the queue (it is being deleted for good).
fn cancel_copy(c: &Connection, h: &Handle, queue: AccountId) -> rusqlite::Result<bool> {
    let ops = ops_using(c, queue, h.id)?;
    if ops.iter().any(|(_, started, _)| *started) {
        return Ok(false);
    }
    for (id, _, mut op) in ops {
        match &mut op {
            Op::Copy { pairs, .. } => pairs.retain(|(_, x)| *x != h.id),
            Op::Flags { handles, .. } | Op::Move { handles, .. } | Op::Expunge { handles } => {
                handles.retain(|x| *x != h.id)
            }
        }
        rewrite(c, id, &op)?;
    }
    c.prepare_cached("DELETE FROM handles WHERE id = ?1")?
        .execute([h.id])?;
    Ok(true)
}

/// Replaces the undo record: only the last action can be undone.
fn record_undo(
    c: &Connection,
    kind: &str,
    items: &[(MessageId, FolderId)],
) -> rusqlite::Result<i64> {
    c.execute("DELETE FROM undo_actions", [])?;
    let json = serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
    c.prepare_cached("INSERT INTO undo_actions (kind, items) VALUES (?1, ?2)")?
        .execute(params![kind, json])?;
    Ok(c.last_insert_rowid())
}

#[cfg(test)]
#[path = "actions_tests.rs"]
mod tests;
