//! Conversations in the cache: the list of threads with mail in some folders, and a thread's
//! messages across folders. Threads are assigned as messages are inserted (threading.rs).

use super::messages::{summary_row, SUMMARY_COLUMNS};
use super::Store;
use crate::error::Result;
use crate::folder::FolderId;
use crate::message::{flags, Address, MessageSummary};
use crate::thread::{ThreadId, ThreadSummary};
use rusqlite::params;

/// The date the list shows: the Date header, INTERNALDATE when it is missing.
const DATE: &str = "CASE WHEN date <> 0 THEN date ELSE internal_date END";

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
        let list = folders
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let page: Vec<ThreadId> = self.read(|c| {
            let mut s = c.prepare(&format!(
                "SELECT thread_id, max({DATE}) AS latest FROM messages
                 WHERE thread_id IN (SELECT thread_id FROM messages WHERE folder_id IN ({list}))
                 GROUP BY thread_id ORDER BY latest DESC, thread_id DESC LIMIT ?1 OFFSET ?2"
            ))?;
            let rows = s.query_map(params![limit, offset], |r| r.get(0))?.collect();
            rows
        })?;
        let mut out = Vec::with_capacity(page.len());
        for t in page {
            let msgs = self.thread_messages(t)?;
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
        let list = folders
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(",");
        self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT count(DISTINCT thread_id) FROM messages WHERE folder_id IN ({list})"
                ),
                [],
                |r| r.get(0),
            )
        })
    }

    /// The messages of a conversation in every folder, oldest first.
    pub fn thread_messages(&self, thread: ThreadId) -> Result<Vec<MessageSummary>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM messages WHERE thread_id = ?1
                 ORDER BY {DATE}, id"
            ))?;
            let rows = s.query_map([thread], summary_row)?.collect();
            rows
        })
    }
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
