//! Messages in the cache: batch inserts and flag updates from sync, and the queries the
//! list and reader need. Every sync batch is one transaction over prepared statements; the
//! same transaction threads the new messages (a small batch; a bulk one is threaded later)
//! and queues them (or indexes their bodies) for search.

use super::folders::refresh_counts;
use super::threading::{self, Links, Threader};
use super::{background, fulltext, Store};
use crate::error::{Error, ErrorKind, Result};
use crate::folder::FolderId;
use crate::message::{
    flags, Address, Body, Header, MessageDetail, MessageId, MessageSummary, MimePart,
};
use rusqlite::{params, OptionalExtension, Row};
use std::collections::{HashMap, HashSet};

/// What one insert batch added: the new rows' ids, in the order given.
#[derive(Debug, Default, Clone)]
pub struct NewMessages {
    pub ids: Vec<MessageId>,
    /// Ids of inserted messages that are unread.
    pub unread: Vec<MessageId>,
}

pub(super) const SUMMARY_COLUMNS: &str =
    "id, folder_id, uid, flags, subject, from_name, from_email, internal_date, date, size, snippet, has_attachments, thread_id";

pub(super) fn summary_row(r: &Row<'_>) -> rusqlite::Result<MessageSummary> {
    let from_name: String = r.get(5)?;
    let from_email: String = r.get(6)?;
    let internal: i64 = r.get(7)?;
    let date: i64 = r.get(8)?;
    let id: MessageId = r.get(0)?;
    Ok(MessageSummary {
        id,
        folder_id: r.get(1)?,
        // Provisional rows (negative UIDs, see pending.rs) read as 0: not on the server here yet.
        uid: u32::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        flags: r.get(3)?,
        subject: r.get(4)?,
        from: (!from_email.is_empty() || !from_name.is_empty()).then_some(Address {
            name: from_name,
            email: from_email,
        }),
        // The Date header is what people expect to see; INTERNALDATE when it is missing.
        date: if date != 0 { date } else { internal },
        size: r.get(9)?,
        snippet: r.get(10)?,
        has_attachments: r.get(11)?,
        // Not threaded yet (a bulk insert, threaded moments later): its own conversation.
        thread_id: match r.get(12)? {
            0 => -id,
            t => t,
        },
    })
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn parse_json<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}

impl Store {
    /// Inserts new messages of one folder in one transaction. A UID already cached is left
    /// alone, so a batch replayed after a dropped connection adds nothing twice.
    pub fn insert_headers(&self, folder: FolderId, headers: &[Header]) -> Result<NewMessages> {
        self.insert_headers_as(folder, headers, false)
    }

    /// [`Store::insert_headers`] for one batch of many making up a first sync, however small
    /// the batch: its messages are threaded later, in bulk (store/threading.rs).
    pub fn insert_headers_in_bulk(
        &self,
        folder: FolderId,
        headers: &[Header],
    ) -> Result<NewMessages> {
        self.insert_headers_as(folder, headers, true)
    }

    fn insert_headers_as(
        &self,
        folder: FolderId,
        headers: &[Header],
        bulk: bool,
    ) -> Result<NewMessages> {
        let out = self.write(|c| {
            let tx = c.transaction()?;
            let mut out = NewMessages::default();
            {
                let mut ins = tx.prepare_cached(
                    "INSERT OR IGNORE INTO messages (folder_id, uid, flags, keywords, size, internal_date, date, modseq,
                       subject, from_name, from_email, to_json, cc_json, reply_to_json, message_id, in_reply_to, refs,
                       parts_json, has_attachments, thread_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
                )?;
                // UIDs already cached are skipped before threading, so a replayed batch
                // links nothing twice. One range scan: sync sends UIDs the cache lacks, so
                // it normally finds nothing.
                let lo = headers.iter().map(|h| h.uid).min().unwrap_or(1);
                let hi = headers.iter().map(|h| h.uid).max().unwrap_or(0);
                let cached: HashSet<u32> = tx
                    .prepare_cached(
                        "SELECT uid FROM messages WHERE folder_id = ?1 AND uid BETWEEN ?2 AND ?3",
                    )?
                    .query_map(params![folder, lo, hi], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let fresh: Vec<&Header> = headers.iter().filter(|h| !cached.contains(&h.uid)).collect();
                // A bulk batch waits with thread 0 for the background thread (threading.rs).
                let inline = !bulk && fresh.len() <= threading::INLINE_MAX && !threading::waiting(&tx)?;
                let links: Vec<Links<'_>> = if inline {
                    fresh.iter().map(|h| Links::of(h)).collect()
                } else {
                    Vec::new()
                };
                let mut threader = Threader::new(&tx, &links)?;
                for (i, h) in fresh.iter().enumerate() {
                    let thread = match links.get(i) {
                        Some(l) => threader.assign(l)?,
                        None => 0,
                    };
                    let from = h.from.first().cloned().unwrap_or_default();
                    let n = ins.execute(params![
                        folder,
                        h.uid,
                        h.flags,
                        h.keywords,
                        h.size,
                        h.internal_date,
                        h.date,
                        h.modseq as i64,
                        h.subject,
                        from.name,
                        from.email,
                        json(&h.to),
                        json(&h.cc),
                        json(&h.reply_to),
                        h.message_id,
                        h.in_reply_to,
                        h.references.join(" "),
                        json(&h.parts),
                        h.has_attachments(),
                        thread,
                    ])?;
                    if n == 1 {
                        let id = tx.last_insert_rowid();
                        out.ids.push(id);
                        if h.flags & flags::SEEN == 0 {
                            out.unread.push(id);
                        }
                    }
                }
                threader.finish()?;
                tx.prepare_cached("UPDATE folders SET total = total + ?2, unread = unread + ?3 WHERE id = ?1")?
                    .execute(params![folder, out.ids.len() as i64, out.unread.len() as i64])?;
                fulltext::queue(&tx, &out.ids)?;
            }
            tx.commit()?;
            Ok(out)
        })?;
        if !out.ids.is_empty() {
            background::wake(&self.inner.background);
        }
        Ok(out)
    }

    /// Applies flag changes `(uid, flags, keywords, modseq)`; returns the ids that changed.
    pub fn update_flags(
        &self,
        folder: FolderId,
        changes: &[(u32, u32, String, u64)],
    ) -> Result<Vec<MessageId>> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|c| {
            let tx = c.transaction()?;
            let mut changed = Vec::new();
            {
                let mut upd = tx.prepare_cached(
                    "UPDATE messages SET flags = ?3, keywords = ?4, modseq = max(modseq, ?5)
                     WHERE folder_id = ?1 AND uid = ?2 AND (flags <> ?3 OR keywords <> ?4)
                     RETURNING id",
                )?;
                for (uid, bits, kw, modseq) in changes {
                    if let Some(id) = upd
                        .query_row(params![folder, uid, bits, kw, *modseq as i64], |r| r.get(0))
                        .optional()?
                    {
                        changed.push(id);
                    }
                }
                if !changed.is_empty() {
                    refresh_counts(&tx, folder)?;
                }
            }
            tx.commit()?;
            Ok(changed)
        })
    }

    /// Removes messages the server expunged; returns their ids.
    pub fn remove_uids(&self, folder: FolderId, uids: &[u32]) -> Result<Vec<MessageId>> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|c| {
            let tx = c.transaction()?;
            let mut removed = Vec::new();
            {
                let mut del = tx.prepare_cached(
                    "DELETE FROM messages WHERE folder_id = ?1 AND uid = ?2 RETURNING id",
                )?;
                for uid in uids {
                    if let Some(id) = del
                        .query_row(params![folder, uid], |r| r.get(0))
                        .optional()?
                    {
                        removed.push(id);
                    }
                }
                if !removed.is_empty() {
                    refresh_counts(&tx, folder)?;
                }
            }
            tx.commit()?;
            Ok(removed)
        })
    }

    /// Recomputes a folder's counts from its rows (after a complete sync, as a safety net).
    pub fn recount(&self, folder: FolderId) -> Result<()> {
        self.write(|c| refresh_counts(c, folder))
    }

    /// Every cached UID of a folder with its flags and keywords (provisional rows have none).
    pub fn flag_map(&self, folder: FolderId) -> Result<HashMap<u32, (u32, String)>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT uid, flags, keywords FROM messages WHERE folder_id = ?1 AND uid > 0",
            )?;
            let rows = s
                .query_map([folder], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
                .collect();
            rows
        })
    }

    /// Every cached UID of a folder, ascending (provisional rows have none).
    pub fn uids(&self, folder: FolderId) -> Result<Vec<u32>> {
        self.uids_from(folder, 1)
    }

    /// A folder's cached UIDs at or above `from`, ascending.
    pub fn uids_from(&self, folder: FolderId, from: u32) -> Result<Vec<u32>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT uid FROM messages WHERE folder_id = ?1 AND uid >= max(?2, 1) ORDER BY uid",
            )?;
            let rows = s.query_map(params![folder, from], |r| r.get(0))?.collect();
            rows
        })
    }

    /// A page of a folder's messages, newest first.
    pub fn list(&self, folder: FolderId, offset: u32, limit: u32) -> Result<Vec<MessageSummary>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM messages WHERE folder_id = ?1
                 ORDER BY internal_date DESC, uid DESC LIMIT ?2 OFFSET ?3"
            ))?;
            let rows = s
                .query_map(params![folder, limit, offset], summary_row)?
                .collect();
            rows
        })
    }

    /// A page across several folders (a unified inbox), newest first.
    pub fn list_many(
        &self,
        folders: &[FolderId],
        offset: u32,
        limit: u32,
    ) -> Result<Vec<MessageSummary>> {
        if folders.len() == 1 {
            return self.list(folders[0], offset, limit);
        }
        let ids = folders
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(",");
        self.read(|c| {
            let mut s = c.prepare(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM messages WHERE folder_id IN ({ids})
                 ORDER BY internal_date DESC, uid DESC LIMIT ?1 OFFSET ?2"
            ))?;
            let rows = s.query_map(params![limit, offset], summary_row)?.collect();
            rows
        })
    }

    /// How many messages the folders hold.
    pub fn count(&self, folders: &[FolderId]) -> Result<u32> {
        let mut n = 0;
        for f in folders {
            n += self.read(|c| {
                c.query_row("SELECT total FROM folders WHERE id = ?1", [f], |r| {
                    r.get::<_, u32>(0)
                })
            })?;
        }
        Ok(n)
    }

    pub fn summaries(&self, ids: &[MessageId]) -> Result<Vec<MessageSummary>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM messages WHERE id = ?1"
            ))?;
            let mut v = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(m) = s.query_row([id], summary_row).optional()? {
                    v.push(m);
                }
            }
            Ok(v)
        })
    }

    /// A message with its headers and, when cached, its parsed body.
    pub fn message(&self, id: MessageId) -> Result<MessageDetail> {
        let row = self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, to_json, cc_json, reply_to_json, message_id, in_reply_to, refs, parts_json
                     FROM messages WHERE id = ?1"
                ),
                [id],
                |r| {
                    Ok((
                        summary_row(r)?,
                        r.get::<_, String>(13)?,
                        r.get::<_, String>(14)?,
                        r.get::<_, String>(15)?,
                        r.get::<_, String>(16)?,
                        r.get::<_, String>(17)?,
                        r.get::<_, String>(18)?,
                        r.get::<_, String>(19)?,
                    ))
                },
            )
            .optional()
        })?;
        let Some((summary, to, cc, reply_to, message_id, in_reply_to, refs, parts)) = row else {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("There is no message {id}"),
            ));
        };
        let body = self.body(id)?;
        Ok(MessageDetail {
            summary,
            to: parse_json(&to),
            cc: parse_json(&cc),
            reply_to: parse_json(&reply_to),
            message_id,
            in_reply_to,
            references: refs.split_whitespace().map(str::to_string).collect(),
            parts: parse_json::<Vec<MimePart>>(&parts),
            body,
        })
    }

    /// The raw RFC 5322 bytes of a cached body.
    pub fn raw_body(&self, id: MessageId) -> Result<Option<Vec<u8>>> {
        self.read(|c| {
            c.query_row("SELECT raw FROM bodies WHERE message_id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    fn body(&self, id: MessageId) -> Result<Option<Body>> {
        match self.raw_body(id)? {
            Some(raw) => Ok(Some(crate::mime::parse(&raw))),
            None => Ok(None),
        }
    }

    /// UIDs of a folder's newest messages that have no cached body (for prefetch).
    pub fn uids_without_body(
        &self,
        folder: FolderId,
        newest: u32,
        max_size: u32,
    ) -> Result<Vec<u32>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT m.uid FROM (SELECT id, uid, size FROM messages WHERE folder_id = ?1
                                    ORDER BY internal_date DESC, uid DESC LIMIT ?2) m
                 LEFT JOIN bodies b ON b.message_id = m.id
                 WHERE b.message_id IS NULL AND m.size <= ?3 AND m.uid > 0",
            )?;
            let rows = s
                .query_map(params![folder, newest, max_size], |r| r.get(0))?
                .collect();
            rows
        })
    }

    /// Where a message lives in the cache: its folder and UID (0 while provisional).
    pub fn locate(&self, id: MessageId) -> Result<(FolderId, u32)> {
        self.read(|c| {
            c.query_row(
                "SELECT folder_id, max(uid, 0) FROM messages WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })?
        .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("There is no message {id}")))
    }
}
