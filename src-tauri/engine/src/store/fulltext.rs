//! Keeping the full-text index current without slowing sync. A header batch only queues its
//! new messages (`search_pending`, in the batch's transaction); the store's background
//! thread indexes the queue in slices once inserts pause (store/background.rs), and a search
//! first indexes a small queue itself so new mail is findable at once. Bodies update rows already indexed in their own
//! batch (a queued message picks its body up when indexed). Deletes and header changes use
//! triggers (migration 3).
//!
//! Why not index in the insert itself: per-row triggers cost about seven times a batch
//! statement (FTS5 flushes its pending terms at every statement savepoint), and even one
//! statement per batch doubled the time of a header batch, which is what a first sync of a
//! large mailbox waits on.

use crate::message::MessageId;
use rusqlite::Connection;

const COLUMNS: &str = "rowid, sender, recipients, cc, subject, body, attachments";
const SOURCE: &str = "id, sender, recipients, cc, subject, body, attachments";

/// Messages indexed per transaction by the background thread.
pub(super) const SLICE: usize = 2000;
/// A search indexes the queue itself when it is at most this long (tens of milliseconds).
pub(super) const SEARCH_CATCH_UP: usize = 2000;

fn json(ids: &[MessageId]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// Queues messages just inserted, inside the caller's transaction.
pub(super) fn queue(c: &Connection, ids: &[MessageId]) -> rusqlite::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    c.prepare_cached(
        "INSERT OR IGNORE INTO search_pending (message_id) SELECT value FROM json_each(?1)",
    )?
    .execute([json(ids)])
    .map(|_| ())
}

/// Re-indexes messages whose body was just cached or replaced (those not indexed yet get
/// it when they are), inside the caller's transaction.
pub(super) fn index_bodies(c: &Connection, ids: &[MessageId]) -> rusqlite::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    c.prepare_cached(
        "UPDATE search_index SET body = (SELECT body FROM search_source WHERE id = search_index.rowid)
         WHERE rowid IN (SELECT value FROM json_each(?1))",
    )?
    .execute([json(ids)])
    .map(|_| ())
}

/// Whether more than `n` messages wait to be indexed.
pub(super) fn backlog_over(c: &Connection, n: usize) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT EXISTS (SELECT 1 FROM search_pending LIMIT 1 OFFSET ?1)")?
        .query_row([n as i64], |r| r.get(0))
}

/// Indexes up to `max` queued messages in one transaction; returns how many were queued.
pub(super) fn index_queued(c: &mut Connection, max: usize) -> rusqlite::Result<usize> {
    let tx = c.transaction()?;
    let ids: Vec<MessageId> = {
        let mut s = tx
            .prepare_cached("SELECT message_id FROM search_pending ORDER BY message_id LIMIT ?1")?;
        let rows = s
            .query_map([max as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        rows
    };
    if ids.is_empty() {
        return Ok(0);
    }
    let list = json(&ids);
    // Ascending rowids: FTS5 flushes its buffer whenever a rowid is not above the last one.
    tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO search_index ({COLUMNS})
         SELECT {SOURCE} FROM search_source WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id"
    ))?
    .execute([&list])?;
    tx.prepare_cached(
        "DELETE FROM search_pending WHERE message_id IN (SELECT value FROM json_each(?1))",
    )?
    .execute([&list])?;
    tx.commit()?;
    Ok(ids.len())
}

/// Empties the index and fills it again from the cache, then merges its segments.
pub(super) fn rebuild(c: &mut Connection) -> rusqlite::Result<()> {
    let tx = c.transaction()?;
    tx.execute_batch(&format!(
        "DELETE FROM search_index;
         DELETE FROM search_pending;
         INSERT INTO search_index ({COLUMNS}) SELECT {SOURCE} FROM search_source ORDER BY id;
         INSERT INTO search_index (search_index) VALUES ('optimize');"
    ))?;
    tx.commit()
}
