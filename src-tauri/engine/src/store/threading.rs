//! Conversation threads. It is RFC 5256's REFERENCES algorithm (§2.2) made incremental: a
//! thread is a set of messages linked through Message-ID, In-Reply-To and References. A new
//! message joins the thread of any id it names or is named by, merging threads it links;
//! nothing is rescanned. The subject grouping of step 5 is narrowed: only a message with no
//! references and a reply subject ("Re: Lunch") joins by subject; two originals with the
//! same subject stay apart.
//!
//! When: a small batch (new mail) is threaded as it is inserted. A bulk batch (a first sync's
//! chunks) is inserted with thread 0 and threaded later, in insertion order, by the store's
//! background thread once inserts pause, or by a read of conversations when only a few are
//! waiting (store/background.rs); until then such a message is a conversation of its own
//! (store/threads.rs). Threading a first sync's 100,000 messages on the insert path took
//! about as long as inserting them.
//!
//! Where a batch finds the threads of the ids it names:
//! - a cached message's own Message-ID, through the `messages_by_message_id` index the cache
//!   already keeps, so a message adds no row of its own;
//! - an id some message referred to (a parent, received or not: step 1's "dummy"
//!   containers), in `thread_links`, so a parent arriving after its replies, or moved to
//!   another folder, finds them.
//!
//! The side tables are keyed by a 64-bit hash (FNV-1a) of the id or base subject rather than
//! the text: an integer key keeps them small and cheap to insert into, where random TEXT keys
//! rewrote most of a large B-tree at every batch. Two ids would have to collide in 64 bits
//! to join two conversations by mistake. A merge leaves those tables alone and records a
//! redirect (`thread_merges`) that every later read follows.
//!
//! A batch is threaded in memory: what it needs is read with a few queries, and what it adds
//! is written back with one statement per table, in the batch's transaction.

use super::background::Changed;
use crate::account::AccountId;
use crate::folder::FolderId;
use crate::message::{Header, MessageId};
use crate::thread::{base_subject, ThreadId};
use rusqlite::{params, Connection};
use std::collections::{HashMap, HashSet};

/// A batch up to this size is threaded as it is inserted, if no message is waiting (so
/// messages are always threaded in insertion order); a larger one waits.
pub(super) const INLINE_MAX: usize = 1000;
/// A read of conversations threads the waiting messages itself when there are at most this
/// many (a few milliseconds); more (a first sync) are left to the background thread.
pub(super) const READ_CATCH_UP: usize = 2000;

/// The key the side tables store for a Message-ID or a base subject: FNV-1a, 64 bits. It is
/// written to disk, so it must never change (std's hashers make no such promise).
pub(super) fn key(s: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

/// What threading reads of one message, taken from a header or a cached row.
pub(super) struct Links<'a> {
    /// The message's own Message-ID, trimmed; empty when it has none.
    id: &'a str,
    /// §2.2 step 1 (A): the references, oldest first; In-Reply-To stands in for missing
    /// References (and is added when it is not among them). Never the message's own id.
    parents: Vec<&'a str>,
    /// The key of the base subject (§2.1), `None` when it is empty.
    subject: Option<i64>,
    /// Whether reply or forward markers were removed to reach the base subject.
    reply: bool,
}

impl<'a> Links<'a> {
    pub fn of(h: &'a Header) -> Self {
        Self::new(
            &h.message_id,
            &h.in_reply_to,
            h.references.iter().map(String::as_str),
            &h.subject,
        )
    }

    pub fn new(
        message_id: &'a str,
        in_reply_to: &'a str,
        references: impl Iterator<Item = &'a str>,
        subject: &str,
    ) -> Self {
        let id = message_id.trim();
        let mut parents: Vec<&str> = Vec::new();
        for r in references.chain([in_reply_to]) {
            let r = r.trim();
            if !r.is_empty() && r != id && !parents.contains(&r) {
                parents.push(r);
            }
        }
        let (base, reply) = base_subject(subject);
        Links {
            id,
            parents,
            subject: (!base.is_empty()).then(|| key(&base)),
            reply,
        }
    }

    /// The ids the message names: its parents, then its own.
    fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.parents
            .iter()
            .copied()
            .chain((!self.id.is_empty()).then_some(self.id))
    }
}

/// Threads one batch of messages inside the caller's transaction.
pub(super) struct Threader<'c> {
    c: &'c Connection,
    /// Message-ID key -> thread, for every id the batch names that is known.
    threads: HashMap<i64, ThreadId>,
    /// Keys of referenced ids in `thread_links`, or to be written there by `finish`.
    linked: HashSet<i64>,
    /// Referenced ids first seen in this batch, in order.
    new_links: Vec<i64>,
    /// Base subject key -> (latest thread, started by a subject-only reply).
    subjects: HashMap<i64, (ThreadId, bool)>,
    changed_subjects: HashSet<i64>,
    /// Threads merged in this batch: (merged, into).
    merges: Vec<(ThreadId, ThreadId)>,
    /// The next thread id to hand out; ids are never reused.
    next: ThreadId,
    allocated: bool,
}

impl<'c> Threader<'c> {
    /// Reads what the batch `messages` will need.
    pub fn new(c: &'c Connection, messages: &[Links<'_>]) -> rusqlite::Result<Self> {
        let mut t = Threader {
            c,
            threads: HashMap::new(),
            linked: HashSet::new(),
            new_links: Vec::new(),
            subjects: HashMap::new(),
            changed_subjects: HashSet::new(),
            merges: Vec::new(),
            next: 0,
            allocated: false,
        };
        if messages.is_empty() {
            return Ok(t);
        }
        // Sorted, so the probes walk each B-tree left to right.
        let mut ids: Vec<&str> = messages.iter().flat_map(Links::ids).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut keys: Vec<i64> = ids.iter().map(|i| key(i)).collect();
        keys.sort_unstable();
        let mut s = c.prepare_cached(
            "SELECT l.hash, l.thread_id FROM json_each(?1) j JOIN thread_links l ON l.hash = j.value",
        )?;
        let mut rows = s.query([json(&keys)])?;
        while let Some(r) = rows.next()? {
            let (k, thread): (i64, ThreadId) = (r.get(0)?, r.get(1)?);
            t.linked.insert(k);
            t.threads.insert(k, thread);
        }
        // Cached messages that carry one of the ids (thread 0: not threaded yet, backfill).
        let mut s = c.prepare_cached(
            "SELECT m.message_id, m.thread_id FROM json_each(?1) j
             JOIN messages m ON m.message_id = j.value
             WHERE m.message_id <> '' AND m.thread_id <> 0",
        )?;
        let mut rows = s.query([json(&ids)])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            t.threads.entry(key(&id)).or_insert(r.get(1)?);
        }
        let mut bases: Vec<i64> = messages.iter().filter_map(|m| m.subject).collect();
        bases.sort_unstable();
        bases.dedup();
        let mut s = c.prepare_cached(
            "SELECT s.hash, s.thread_id, s.replies_only FROM json_each(?1) j
             JOIN thread_subjects s ON s.hash = j.value",
        )?;
        let mut rows = s.query([json(&bases)])?;
        while let Some(r) = rows.next()? {
            t.subjects.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
        }
        t.follow_merges()?;
        t.next = c
            .prepare_cached("SELECT coalesce(max(id), 0) + 1 FROM threads")?
            .query_row([], |r| r.get(0))?;
        Ok(t)
    }

    /// Replaces the threads read from `thread_links` and `thread_subjects` by the ones they
    /// were merged into (rows there keep the id they were written with).
    fn follow_merges(&mut self) -> rusqlite::Result<()> {
        let any: bool = self
            .c
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM thread_merges)")?
            .query_row([], |r| r.get(0))?;
        if !any {
            return Ok(());
        }
        let mut s = self.c.prepare_cached(
            "SELECT id, into_id FROM thread_merges WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        let mut seen: HashSet<ThreadId> = HashSet::new();
        let mut ask: Vec<ThreadId> = self
            .threads
            .values()
            .chain(self.subjects.values().map(|(t, _)| t))
            .copied()
            .filter(|t| seen.insert(*t))
            .collect();
        // A merged thread may itself have been merged later: follow the chain.
        let mut into: HashMap<ThreadId, ThreadId> = HashMap::new();
        while !ask.is_empty() {
            let mut rows = s.query([json(&ask)])?;
            ask.clear();
            while let Some(r) = rows.next()? {
                let (from, to): (ThreadId, ThreadId) = (r.get(0)?, r.get(1)?);
                into.insert(from, to);
                if seen.insert(to) {
                    ask.push(to);
                }
            }
        }
        if into.is_empty() {
            return Ok(());
        }
        let last = |mut t: ThreadId| {
            while let Some(n) = into.get(&t) {
                t = *n;
            }
            t
        };
        for t in self.threads.values_mut() {
            *t = last(*t);
        }
        for (t, _) in self.subjects.values_mut() {
            *t = last(*t);
        }
        Ok(())
    }

    /// The thread of a message about to be inserted; records its ids for the ones after it.
    pub fn assign(&mut self, m: &Links<'_>) -> rusqlite::Result<ThreadId> {
        // Which threads already hold any of these ids (found messages or dummies).
        let mut found: Vec<ThreadId> = Vec::new();
        for t in m.ids().filter_map(|i| self.threads.get(&key(i))) {
            if !found.contains(t) {
                found.push(*t);
            }
        }
        let original = !m.reply && m.parents.is_empty();
        let thread = match found.iter().min().copied() {
            Some(keep) => {
                // One message links several threads: they are one conversation (§2.2 step 1
                // (A) links them under a common parent), kept under the oldest id.
                for other in found.iter().copied().filter(|t| *t != keep) {
                    self.merge(other, keep)?;
                }
                keep
            }
            None => match self.by_subject(m) {
                Some(t) => t,
                None => {
                    let t = self.next;
                    self.next += 1;
                    self.allocated = true;
                    t
                }
            },
        };
        for i in m.ids() {
            self.threads.entry(key(i)).or_insert(thread);
        }
        for p in &m.parents {
            let k = key(p);
            if self.linked.insert(k) {
                self.new_links.push(k);
            }
        }
        // The latest original of a subject is what later subject-only replies join. A thread
        // started by a subject-only reply is marked so its original, arriving late, joins
        // it; one started through references is not (its original arrives by its id).
        if let Some(base) = m.subject {
            if original || !self.subjects.contains_key(&base) {
                self.subjects
                    .insert(base, (thread, !original && m.parents.is_empty()));
                self.changed_subjects.insert(base);
            }
        }
        Ok(thread)
    }

    /// The thread a message with no known links joins by subject (RFC 5256 §2.2 step 5,
    /// narrowed): a reply without references joins the latest thread of its base subject;
    /// an original joins only a thread that so far holds nothing but such replies.
    fn by_subject(&self, m: &Links<'_>) -> Option<ThreadId> {
        // A message with references belongs where they point, even to messages not here yet.
        let base = m.subject.filter(|_| m.parents.is_empty())?;
        match self.subjects.get(&base) {
            Some((t, _)) if m.reply => Some(*t),
            Some((t, true)) => Some(*t),
            _ => None,
        }
    }

    /// Moves the messages of thread `from` into thread `into`, and records the redirect for
    /// the links and subjects that still name `from`.
    fn merge(&mut self, from: ThreadId, into: ThreadId) -> rusqlite::Result<()> {
        self.c
            // `thread_id <> 0` lets SQLite use the partial index messages_by_thread.
            .prepare_cached(
                "UPDATE messages SET thread_id = ?2 WHERE thread_id = ?1 AND thread_id <> 0",
            )?
            .execute(params![from, into])?;
        for (_, to) in self.merges.iter_mut().filter(|(_, to)| *to == from) {
            *to = into;
        }
        self.merges.push((from, into));
        for t in self.threads.values_mut().filter(|t| **t == from) {
            *t = into;
        }
        for (t, _) in self.subjects.values_mut().filter(|(t, _)| *t == from) {
            *t = into;
        }
        Ok(())
    }

    /// Writes the batch's new links, subjects and merges, and the thread id high-water mark.
    pub fn finish(self) -> rusqlite::Result<()> {
        if !self.new_links.is_empty() {
            // In key order: the B-tree is then walked once, left to right.
            let mut rows: Vec<(i64, ThreadId)> = self
                .new_links
                .iter()
                .map(|k| (*k, self.threads.get(k).copied().unwrap_or_default()))
                .collect();
            rows.sort_unstable();
            self.c
                .prepare_cached(
                    "INSERT OR REPLACE INTO thread_links (hash, thread_id)
                     SELECT value ->> 0, value ->> 1 FROM json_each(?1)",
                )?
                .execute([json(&rows)])?;
        }
        if !self.changed_subjects.is_empty() {
            let mut rows: Vec<(i64, ThreadId, bool)> = self
                .changed_subjects
                .iter()
                .filter_map(|k| self.subjects.get(k).map(|(t, r)| (*k, *t, *r)))
                .collect();
            rows.sort_unstable();
            self.c
                .prepare_cached(
                    "INSERT OR REPLACE INTO thread_subjects (hash, thread_id, replies_only)
                     SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1)",
                )?
                .execute([json(&rows)])?;
        }
        if !self.merges.is_empty() {
            self.c
                .prepare_cached(
                    "INSERT OR REPLACE INTO thread_merges (id, into_id)
                     SELECT value ->> 0, value ->> 1 FROM json_each(?1)",
                )?
                .execute([json(&self.merges)])?;
        }
        if self.allocated {
            // Only the highest id matters: the next batch continues after it.
            self.c
                .prepare_cached("INSERT OR IGNORE INTO threads (id) VALUES (?1)")?
                .execute([self.next - 1])?;
        }
        Ok(())
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Whether any message waits to be threaded.
pub(super) fn waiting(c: &Connection) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT EXISTS (SELECT 1 FROM messages WHERE thread_id = 0)")?
        .query_row([], |r| r.get(0))
}

/// Whether more than `n` messages wait to be threaded.
pub(super) fn waiting_over(c: &Connection, n: usize) -> rusqlite::Result<bool> {
    c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM messages WHERE thread_id = 0 LIMIT 1 OFFSET ?1)",
    )?
    .query_row([n as i64], |r| r.get(0))
}

/// Threads up to `max` waiting messages, oldest insert first, in one transaction; returns
/// them by folder (empty when none waited). Also threads messages cached before threading
/// existed, which migration 3 left at thread 0.
pub(super) fn thread_waiting(c: &mut Connection, max: usize) -> rusqlite::Result<Vec<Changed>> {
    let tx = c.transaction()?;
    type Row = (
        MessageId,
        FolderId,
        AccountId,
        String,
        String,
        String,
        String,
    );
    let rows: Vec<Row> = {
        let mut s = tx.prepare_cached(
            "SELECT m.id, m.folder_id, f.account_id, m.message_id, m.in_reply_to, m.refs, m.subject
             FROM messages m JOIN folders f ON f.id = m.folder_id
             WHERE m.thread_id = 0 ORDER BY m.id LIMIT ?1",
        )?;
        let rows = s
            .query_map([max as i64], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        rows
    };
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let links: Vec<Links<'_>> = rows
        .iter()
        .map(|(_, _, _, message_id, in_reply_to, refs, subject)| {
            Links::new(message_id, in_reply_to, refs.split_whitespace(), subject)
        })
        .collect();
    {
        let mut threader = Threader::new(&tx, &links)?;
        let mut set = tx.prepare_cached("UPDATE messages SET thread_id = ?2 WHERE id = ?1")?;
        for ((id, ..), l) in rows.iter().zip(&links) {
            set.execute(params![id, threader.assign(l)?])?;
        }
        threader.finish()?;
    }
    tx.commit()?;
    Ok(Changed::by_folder(
        rows.iter()
            .map(|(id, folder, account, ..)| (*account, *folder, *id)),
    ))
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn keys_are_stable() {
        // Written to disk: a change here would split every cached conversation.
        assert_eq!(key(""), 0xcbf2_9ce4_8422_2325_u64 as i64);
        assert_eq!(key("a"), 0xaf63_dc4c_8601_ec8c_u64 as i64);
        assert_ne!(key("a@x"), key("b@x"));
    }
}
