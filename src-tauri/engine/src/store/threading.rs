//! Conversation threads, assigned as messages are inserted. It is RFC 5256's REFERENCES
//! algorithm (§2.2) made incremental: a thread is a set of messages linked through
//! Message-ID, In-Reply-To and References, kept as a table from every Message-ID seen (also
//! of messages not yet, or never, received: the "dummy" containers of step 1) to its thread.
//! A new message joins the thread of any id it names, merging threads it links; nothing is
//! rescanned. The subject grouping of step 5 is narrowed: only a message with no references
//! and a reply subject ("Re: Lunch") joins by subject; two originals with the same subject
//! stay apart.
//!
//! A batch is threaded in memory: the links and subjects it touches are read with one query
//! each, and what it adds is written back with one statement each, in the batch's
//! transaction.

use crate::message::{Header, MessageId};
use crate::thread::{base_subject, ThreadId};
use rusqlite::{params, Connection};
use std::collections::{HashMap, HashSet};

/// The fields threading reads, borrowed from a header or a cached row.
pub(super) struct Links<'a> {
    pub message_id: &'a str,
    pub in_reply_to: &'a str,
    pub references: Vec<&'a str>,
    pub subject: &'a str,
}

impl<'a> Links<'a> {
    pub fn of(h: &'a Header) -> Self {
        Links {
            message_id: h.message_id.as_str(),
            in_reply_to: h.in_reply_to.as_str(),
            references: h.references.iter().map(String::as_str).collect(),
            subject: h.subject.as_str(),
        }
    }

    /// §2.2 step 1 (A): the references, oldest first; In-Reply-To stands in for missing
    /// References (and is added when it is not among them). Never the message's own id.
    fn parents(&self) -> Vec<&'a str> {
        let own = self.message_id.trim();
        let mut parents: Vec<&str> = Vec::with_capacity(self.references.len() + 1);
        for r in self.references.iter().copied().chain([self.in_reply_to]) {
            let r = r.trim();
            if !r.is_empty() && r != own && !parents.contains(&r) {
                parents.push(r);
            }
        }
        parents
    }
}

/// Threads one batch of messages inside the caller's transaction.
pub(super) struct Threader<'c> {
    c: &'c Connection,
    /// Message-ID -> thread, for every id the batch names that is known.
    links: HashMap<String, ThreadId>,
    /// Ids first seen in this batch, written by [`Threader::finish`].
    new_links: Vec<String>,
    /// Base subject -> (latest thread, started by a subject-only reply).
    subjects: HashMap<String, (ThreadId, bool)>,
    changed_subjects: HashSet<String>,
    /// The next thread id to hand out; ids are never reused.
    next: ThreadId,
    allocated: bool,
}

impl<'c> Threader<'c> {
    /// Reads what the batch `messages` will need.
    pub fn new(c: &'c Connection, messages: &[Links<'_>]) -> rusqlite::Result<Self> {
        let mut ids: Vec<&str> = Vec::new();
        let mut bases: Vec<String> = Vec::new();
        for m in messages {
            ids.extend(m.parents());
            ids.push(m.message_id.trim());
            bases.push(base_subject(m.subject).0);
        }
        let mut links = HashMap::new();
        {
            let mut s = c.prepare_cached(
                "SELECT l.message_id, l.thread_id FROM json_each(?1) j
                 JOIN thread_links l ON l.message_id = j.value",
            )?;
            let mut rows = s.query([json(&ids)])?;
            while let Some(r) = rows.next()? {
                links.insert(r.get(0)?, r.get(1)?);
            }
        }
        let mut subjects = HashMap::new();
        {
            let mut s = c.prepare_cached(
                "SELECT s.subject, s.thread_id, s.replies_only FROM json_each(?1) j
                 JOIN thread_subjects s ON s.subject = j.value",
            )?;
            let mut rows = s.query([json(&bases)])?;
            while let Some(r) = rows.next()? {
                subjects.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
            }
        }
        let next = c
            .prepare_cached("SELECT coalesce(max(id), 0) + 1 FROM threads")?
            .query_row([], |r| r.get(0))?;
        Ok(Threader {
            c,
            links,
            new_links: Vec::new(),
            subjects,
            changed_subjects: HashSet::new(),
            next,
            allocated: false,
        })
    }

    /// The thread of a message about to be inserted; records its ids for the ones after it.
    pub fn assign(&mut self, m: &Links<'_>) -> rusqlite::Result<ThreadId> {
        let parents = m.parents();
        let own = m.message_id.trim();
        let mut ids = parents.clone();
        if !own.is_empty() {
            ids.push(own);
        }
        // Which threads already hold any of these ids (found messages or dummies).
        let mut found: Vec<ThreadId> = Vec::new();
        for t in ids.iter().filter_map(|i| self.links.get(*i)) {
            if !found.contains(t) {
                found.push(*t);
            }
        }
        let (base, reply) = base_subject(m.subject);
        let original = !reply && parents.is_empty();
        let thread = match found.iter().min().copied() {
            Some(keep) => {
                // One message links several threads: they are one conversation (§2.2 step 1
                // (A) links them under a common parent), kept under the oldest id.
                for other in found.iter().copied().filter(|t| *t != keep) {
                    self.merge(other, keep)?;
                }
                keep
            }
            None => match self.by_subject(&base, reply, parents.is_empty()) {
                Some(t) => t,
                None => {
                    let t = self.next;
                    self.next += 1;
                    self.allocated = true;
                    t
                }
            },
        };
        for i in ids {
            if !self.links.contains_key(i) {
                self.links.insert(i.to_string(), thread);
                self.new_links.push(i.to_string());
            }
        }
        // The latest original of a subject is what later subject-only replies join. A thread
        // started by a subject-only reply is marked so its original, arriving late, joins
        // it; one started through references is not (its original arrives by its id).
        if !base.is_empty() && (original || !self.subjects.contains_key(&base)) {
            self.subjects
                .insert(base.clone(), (thread, !original && parents.is_empty()));
            self.changed_subjects.insert(base);
        }
        Ok(thread)
    }

    /// The thread a message with no known links joins by subject (RFC 5256 §2.2 step 5,
    /// narrowed): a reply without references joins the latest thread of its base subject;
    /// an original joins only a thread that so far holds nothing but such replies.
    fn by_subject(&self, base: &str, reply: bool, no_refs: bool) -> Option<ThreadId> {
        if base.is_empty() || !no_refs {
            // A message with references belongs where they point, even to messages not
            // here yet.
            return None;
        }
        match self.subjects.get(base) {
            Some((t, _)) if reply => Some(*t),
            Some((t, true)) => Some(*t),
            _ => None,
        }
    }

    /// Moves everything of thread `from` into thread `into`.
    fn merge(&mut self, from: ThreadId, into: ThreadId) -> rusqlite::Result<()> {
        for sql in [
            "UPDATE messages SET thread_id = ?2 WHERE thread_id = ?1",
            "UPDATE thread_links SET thread_id = ?2 WHERE thread_id = ?1",
            "UPDATE thread_subjects SET thread_id = ?2 WHERE thread_id = ?1",
        ] {
            self.c.prepare_cached(sql)?.execute(params![from, into])?;
        }
        for t in self.links.values_mut().filter(|t| **t == from) {
            *t = into;
        }
        for (t, _) in self.subjects.values_mut().filter(|(t, _)| *t == from) {
            *t = into;
        }
        Ok(())
    }

    /// Writes the batch's new links, subjects and the thread id high-water mark.
    pub fn finish(self) -> rusqlite::Result<()> {
        if !self.new_links.is_empty() {
            let pairs: Vec<(&str, ThreadId)> = self
                .new_links
                .iter()
                .map(|i| (i.as_str(), self.links.get(i).copied().unwrap_or_default()))
                .collect();
            self.c
                .prepare_cached(
                    "INSERT INTO thread_links (message_id, thread_id)
                     SELECT value ->> 0, value ->> 1 FROM json_each(?1) WHERE 1
                     ON CONFLICT (message_id) DO UPDATE SET thread_id = excluded.thread_id",
                )?
                .execute([json(&pairs)])?;
        }
        if !self.changed_subjects.is_empty() {
            let rows: Vec<(&str, ThreadId, bool)> = self
                .changed_subjects
                .iter()
                .filter_map(|s| self.subjects.get(s).map(|(t, r)| (s.as_str(), *t, *r)))
                .collect();
            self.c
                .prepare_cached(
                    "INSERT INTO thread_subjects (subject, thread_id, replies_only)
                     SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1) WHERE 1
                     ON CONFLICT (subject) DO UPDATE SET
                       thread_id = excluded.thread_id, replies_only = excluded.replies_only",
                )?
                .execute([json(&rows)])?;
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

/// Threads messages cached before threading existed (thread 0), oldest first. A no-op
/// query when there are none.
pub(super) fn backfill(c: &mut Connection) -> rusqlite::Result<usize> {
    let tx = c.transaction()?;
    let rows: Vec<(MessageId, String, String, String, String)> = {
        let mut s = tx.prepare(
            "SELECT id, message_id, in_reply_to, refs, subject FROM messages
             WHERE thread_id = 0 ORDER BY date, id",
        )?;
        let rows = s
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        rows
    };
    if rows.is_empty() {
        return Ok(0);
    }
    let links: Vec<Links<'_>> = rows
        .iter()
        .map(|(_, message_id, in_reply_to, refs, subject)| Links {
            message_id,
            in_reply_to,
            references: refs.split_whitespace().collect(),
            subject,
        })
        .collect();
    {
        let mut threader = Threader::new(&tx, &links)?;
        let mut set = tx.prepare_cached("UPDATE messages SET thread_id = ?2 WHERE id = ?1")?;
        for ((id, ..), l) in rows.iter().zip(&links) {
            let thread = threader.assign(l)?;
            set.execute(params![id, thread])?;
        }
        threader.finish()?;
    }
    tx.commit()?;
    Ok(rows.len())
}
