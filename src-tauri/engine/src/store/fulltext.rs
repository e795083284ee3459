//! Keeping the full-text index current without slowing sync. A header batch only queues its
//! new messages (`search_pending`, in the batch's transaction); the store's background
//! thread indexes the queue in slices once inserts pause (store/background.rs), and a search
//! first indexes a small queue itself so new mail is findable at once. Bodies update rows already indexed in their own
//! batch (a queued message picks its body up when indexed). Deletes and header changes use
//! triggers (migration 3).
//!
//! Indexing a message first gives it its key in the index (`search_docs`): its date in Unix
//! seconds, or the next free second when another message has that key already. Keys in date
//! order let a search walk matches newest first and stop early (search/local.rs); seconds
//! rather than a finer key keep FTS5's rowid deltas short (the index is about 8% larger than
//! with message ids, instead of 40% with a key of date and id).
//!
//! Why not index in the insert itself: per-row triggers cost about seven times a batch
//! statement (FTS5 flushes its pending terms at every statement savepoint), and even one
//! statement per batch doubled the time of a header batch, which is what a first sync of a
//! large mailbox waits on.

use crate::message::MessageId;
use rusqlite::Connection;
use std::collections::HashMap;

const COLUMNS: &str = "rowid, sender, recipients, cc, subject, body, attachments, facets";
const SOURCE: &str =
    "d.doc, s.sender, s.recipients, s.cc, s.subject, s.body, s.attachments, s.facets";
/// The rows of `search_source` of the messages in the JSON array `?1`, with their keys.
const SOURCE_OF: &str = "search_docs d JOIN search_source s ON s.id = d.message_id
     WHERE d.message_id IN (SELECT value FROM json_each(?1))";
/// Keys stay within this range of seconds (year -36,000 to 38,000), far from overflow.
const MAX_KEY: i64 = 1 << 40;

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
    write_rows(c, &json(ids), true)
}

/// Writes the index rows of the messages in the JSON array `list` that have a key, first
/// deleting their old rows when `replace`: a contentless index replaces whole rows.
fn write_rows(c: &Connection, list: &str, replace: bool) -> rusqlite::Result<()> {
    if replace {
        c.prepare_cached(
            "DELETE FROM search_index WHERE rowid IN
             (SELECT doc FROM search_docs WHERE message_id IN (SELECT value FROM json_each(?1)))",
        )?
        .execute([list])?;
    }
    // Ascending rowids: FTS5 flushes its buffer whenever a rowid is not above the last one.
    c.prepare_cached(&format!(
        "INSERT INTO search_index ({COLUMNS}) SELECT {SOURCE} FROM {SOURCE_OF} ORDER BY d.doc"
    ))?
    .execute([list])
    .map(|_| ())
}

/// Gives each of `ids` that has none its key in the index (see the module comment), inside
/// the caller's transaction. Returns how many already had one.
fn assign_keys(c: &Connection, ids: &[MessageId]) -> rusqlite::Result<usize> {
    let mut fresh: Vec<(i64, MessageId)> = c
        .prepare_cached(
            "SELECT CASE WHEN m.date <> 0 THEN m.date ELSE m.internal_date END, m.id
             FROM messages m LEFT JOIN search_docs d ON d.message_id = m.id
             WHERE m.id IN (SELECT value FROM json_each(?1)) AND d.doc IS NULL",
        )?
        .query_map([json(ids)], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    fresh.sort_unstable();
    let mut taken = c.prepare_cached("SELECT EXISTS (SELECT 1 FROM search_docs WHERE doc = ?1)")?;
    let mut put = c.prepare_cached("INSERT INTO search_docs (doc, message_id) VALUES (?1, ?2)")?;
    // Where the search for a free key from each date goes on, so a run of messages with the
    // same date is walked once per batch, not once per message.
    let mut next: HashMap<i64, i64> = HashMap::new();
    for &(date, id) in &fresh {
        let want = date.clamp(-MAX_KEY, MAX_KEY);
        let mut key = next.get(&want).copied().unwrap_or(want);
        while taken.query_row([key], |r| r.get::<_, bool>(0))? {
            key += 1;
        }
        put.execute([key, id])?;
        next.insert(want, key + 1);
    }
    Ok(ids.len() - fresh.len())
}

/// How many messages wait to be indexed, counting no further than `max`.
pub(super) fn backlog(c: &Connection, max: usize) -> rusqlite::Result<usize> {
    c.prepare_cached("SELECT count(*) FROM (SELECT 1 FROM search_pending LIMIT ?1)")?
        .query_row([max as i64], |r| r.get(0))
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
    // Queued again while indexed (not done today): the old row goes first.
    let indexed_before = assign_keys(&tx, &ids)? > 0;
    write_rows(&tx, &list, indexed_before)?;
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
    tx.execute_batch(
        "INSERT INTO search_index (search_index) VALUES ('delete-all');
         DELETE FROM search_docs;
         DELETE FROM search_pending;",
    )?;
    let ids: Vec<MessageId> = tx
        .prepare("SELECT id FROM messages")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    assign_keys(&tx, &ids)?;
    tx.execute_batch(&format!(
        "INSERT INTO search_index ({COLUMNS})
         SELECT {SOURCE} FROM search_docs d JOIN search_source s ON s.id = d.message_id ORDER BY d.doc;
         INSERT INTO search_index (search_index) VALUES ('optimize');"
    ))?;
    tx.commit()
}
