//! Conversations in the cache: the list of threads with mail in some folders, and a thread's
//! messages across folders. Threads are assigned as messages are inserted, or shortly after
//! for bulk inserts (threading.rs). A message not threaded yet is a conversation of its own
//! whose id is the negative of its message id; a read first threads the waiting messages
//! when they are few, so that is only seen while a first sync's mail waits.
//!
//! A page of the list is found by walking every message newest first (the index
//! `messages_by_shown_date`, migration 6): the first message seen of a thread is its latest,
//! so the walk meets threads in the list's order and stops once it has the page. Computing
//! every thread's latest date to sort them took 200 ms at 100,000 messages. For a folder with
//! few of the mail's messages the walk would pass mostly other folders' threads; then the
//! threads of its own messages are sorted instead, as that is cheaper.

use super::messages::{summary_row, SUMMARY_COLUMNS};
use super::Store;
use crate::error::Result;
use crate::folder::FolderId;
use crate::message::{flags, Address, MessageSummary};
use crate::thread::{ThreadId, ThreadSummary};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashSet;

/// The date the list shows: the Date header, INTERNALDATE when it is missing. Written as in
/// the index `messages_by_shown_date`, so SQLite uses it.
const DATE: &str = "CASE WHEN date <> 0 THEN date ELSE internal_date END";

/// The walk is used when the folders hold at least this share (1/n) of all messages.
const WALK_SHARE: i64 = 20;

/// A page of thread ids, newest activity first, found by walking messages newest first. A
/// message not threaded yet stands for itself, as `-id`.
fn walk(c: &Connection, list: &str, offset: u32, limit: u32) -> rusqlite::Result<Vec<ThreadId>> {
    let want = offset as usize + limit as usize;
    let mut s = c.prepare_cached(&format!(
        "SELECT thread_id, id, {DATE} FROM messages ORDER BY {DATE} DESC"
    ))?;
    let mut here = c.prepare(&format!(
        "SELECT EXISTS (SELECT 1 FROM messages WHERE folder_id IN ({list}) AND thread_id = ?1)"
    ))?;
    let mut own = c.prepare(&format!(
        "SELECT EXISTS (SELECT 1 FROM messages WHERE id = ?1 AND folder_id IN ({list}))"
    ))?;
    let mut seen = HashSet::new();
    let mut found: Vec<(i64, ThreadId)> = Vec::new();
    let mut rows = s.query([])?;
    while let Some(r) = rows.next()? {
        let (thread, id, date): (ThreadId, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        // Past the page, and past threads whose latest date ties with its last one.
        if found.len() >= want && found.last().is_some_and(|l| date < l.0) {
            break;
        }
        let (key, shown) = if thread == 0 {
            (-id, &mut own)
        } else {
            (thread, &mut here)
        };
        if seen.insert(key) && shown.query_row([key.abs()], |r| r.get::<_, bool>(0))? {
            found.push((date, key));
        }
    }
    found.sort_by(|a, b| b.cmp(a));
    Ok(found
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(_, t)| t)
        .collect())
}

impl Store {
    /// A page of conversations with mail in any of `folders`, newest activity first. Counts,
    /// senders and dates span every folder, so replies from Sent count too.
    pub fn threads(
        &self,
        folders: &[FolderId],
        offset: u32,
        limit: u32,
    ) -> Result<Vec<ThreadSummary>> {
        if folders.is_empty() {
            return Ok(Vec::new());
        }
        self.catch_up_threads_if_short()?;
        let list = id_list(folders);
        // `thread_id <> 0` lets SQLite use the partial index messages_by_thread.
        let page: Vec<ThreadId> = self.read(|c| {
            let (here, all): (i64, i64) = c.query_row(
                &format!(
                    "SELECT coalesce(sum(total) FILTER (WHERE id IN ({list})), 0),
                            coalesce(sum(total), 0) FROM folders"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if here * WALK_SHARE >= all {
                return walk(c, &list, offset, limit);
            }
            let mut s = c.prepare(&format!(
                "SELECT key, max(day) AS latest FROM (
                   SELECT thread_id AS key, {DATE} AS day FROM messages
                   WHERE thread_id <> 0 AND thread_id IN
                     (SELECT thread_id FROM messages WHERE folder_id IN ({list}) AND thread_id <> 0)
                   UNION ALL
                   SELECT -id, {DATE} FROM messages WHERE folder_id IN ({list}) AND thread_id = 0
                 )
                 GROUP BY key ORDER BY latest DESC, key DESC LIMIT ?1 OFFSET ?2"
            ))?;
            let rows = s.query_map(params![limit, offset], |r| r.get(0))?.collect();
            rows
        })?;
        let mut out = Vec::with_capacity(page.len());
        for t in page {
            let msgs = self.messages_of(t)?;
            if let Some(s) = summarize(t, &msgs) {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// How many conversations have mail in any of `folders`.
    pub fn thread_count(&self, folders: &[FolderId]) -> Result<u32> {
        if folders.is_empty() {
            return Ok(0);
        }
        self.catch_up_threads_if_short()?;
        let list = id_list(folders);
        self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT (SELECT count(DISTINCT thread_id) FROM messages
                             WHERE folder_id IN ({list}) AND thread_id <> 0)
                          + (SELECT count(*) FROM messages WHERE folder_id IN ({list}) AND thread_id = 0)"
                ),
                [],
                |r| r.get(0),
            )
        })
    }

    /// The messages of a conversation in every folder, oldest first. The id of a message
    /// not threaded yet (negative) gives its thread if it has one by now, else the message.
    pub fn thread_messages(&self, thread: ThreadId) -> Result<Vec<MessageSummary>> {
        self.catch_up_threads_if_short()?;
        self.messages_of(thread)
    }

    fn messages_of(&self, thread: ThreadId) -> Result<Vec<MessageSummary>> {
        self.read(|c| {
            let thread = if thread < 0 {
                let now: Option<ThreadId> = c
                    .prepare_cached("SELECT thread_id FROM messages WHERE id = ?1")?
                    .query_row([-thread], |r| r.get(0))
                    .optional()?;
                match now {
                    None => return Ok(Vec::new()),
                    Some(0) => {
                        let mut s = c.prepare_cached(&format!(
                            "SELECT {SUMMARY_COLUMNS} FROM messages WHERE id = ?1"
                        ))?;
                        let rows = s.query_map([-thread], summary_row)?.collect();
                        return rows;
                    }
                    Some(t) => t,
                }
            } else {
                thread
            };
            let mut s = c.prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM messages WHERE thread_id = ?1 AND thread_id <> 0
                 ORDER BY {DATE}, id"
            ))?;
            let rows = s.query_map([thread], summary_row)?.collect();
            rows
        })
    }
}

fn id_list(folders: &[FolderId]) -> String {
    folders
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// A conversation's summary from its messages, oldest first.
fn summarize(id: ThreadId, msgs: &[MessageSummary]) -> Option<ThreadSummary> {
    let first = msgs.first()?;
    let newest = msgs.iter().max_by_key(|m| (m.date, m.id))?;
    let mut senders: Vec<Address> = Vec::new();
    let key = |a: &Address| {
        if a.email.is_empty() {
            a.name.clone()
        } else {
            a.email.to_lowercase()
        }
    };
    for a in msgs.iter().filter_map(|m| m.from.as_ref()) {
        if !senders.iter().any(|s| key(s) == key(a)) {
            senders.push(a.clone());
        }
    }
    Some(ThreadSummary {
        id,
        subject: first.subject.clone(),
        senders,
        count: msgs.len() as u32,
        unread: msgs.iter().filter(|m| m.flags & flags::SEEN == 0).count() as u32,
        starred: msgs.iter().any(|m| m.flags & flags::FLAGGED != 0),
        has_attachments: msgs.iter().any(|m| m.has_attachments),
        latest_date: newest.date,
        newest: newest.id,
        snippet: newest.snippet.clone(),
    })
}

#[cfg(test)]
#[path = "threads_tests.rs"]
mod tests;
