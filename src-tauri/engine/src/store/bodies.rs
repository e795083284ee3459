//! Cached message bodies and the text derived from them (for search and the list's
//! snippet). A body fetched alone or with a few others gets its text in its own insert
//! transaction. Bodies fetched in bulk (offline mode's first sync) are stored raw and
//! queued (`body_pending`); the store's background thread decodes them in slices once
//! inserts pause (background.rs), as it threads bulk inserts, so a full-body sync runs at
//! the speed of the network rather than of MIME decoding. Opening a message never waits on
//! the queue: it parses the raw body itself (`Store::message`).

use super::background::{self, Changed};
use super::{fulltext, Store};
use crate::error::Result;
use crate::folder::FolderId;
use crate::message::MessageId;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// Bodies decoded per background transaction (tens of milliseconds).
pub(super) const SLICE: usize = 500;
/// A search decodes the queue itself when it is at most this long.
pub(super) const SEARCH_CATCH_UP: usize = 200;
/// How much of a body's text the snippet shows.
const SNIPPET: usize = 200;

/// A body with the text derived from it.
struct Decoded<'a> {
    raw: &'a [u8],
    text: String,
}

impl Store {
    /// Caches fetched bodies `(uid, raw)` of one folder with their text and snippet, in one
    /// transaction. Returns the ids that gained a body.
    pub fn store_bodies(
        &self,
        folder: FolderId,
        bodies: &[(u32, Vec<u8>)],
    ) -> Result<Vec<MessageId>> {
        // Decoded before taking the writer, which sync's inserts wait for.
        let decoded: Vec<(u32, Decoded<'_>)> = bodies
            .iter()
            .map(|(uid, raw)| (*uid, decode(raw)))
            .collect();
        self.write(|c| put(c, folder, decoded.iter().map(|(u, d)| (*u, d.raw, Some(d)))))
    }

    /// Caches bodies fetched in bulk as they came, one transaction, and queues them for the
    /// background thread to decode. Returns the ids that gained a body.
    pub fn store_raw_bodies(
        &self,
        folder: FolderId,
        bodies: &[(u32, Vec<u8>)],
    ) -> Result<Vec<MessageId>> {
        let ids = self.write(|c| {
            put(
                c,
                folder,
                bodies.iter().map(|(u, raw)| (*u, raw.as_slice(), None)),
            )
        })?;
        if !ids.is_empty() {
            background::wake(&self.inner.background);
        }
        Ok(ids)
    }

    /// Caches the body of one message by id (one whose UID here is not known yet).
    pub fn store_body(&self, id: MessageId, raw: &[u8]) -> Result<()> {
        let d = decode(raw);
        self.write(|c| {
            let tx = c.transaction()?;
            write_one(&tx, id, raw, Some(&d))?;
            fulltext::index_bodies(&tx, &[id])?;
            tx.commit()
        })
    }

    /// Decodes every body still queued, now (the background thread does the same once
    /// inserts pause). For a process about to exit after a sync, tests and benchmarks.
    pub fn catch_up_bodies(&self) -> Result<()> {
        loop {
            let done = self.write(|c| decode_waiting(c, SLICE))?;
            if done.is_empty() {
                return Ok(());
            }
            self.inner.announce_changed(&done);
        }
    }

    /// Decodes the queued bodies if there are few, so a search finds their words.
    pub(crate) fn catch_up_bodies_if_short(&self) -> Result<()> {
        let queued = self.read(|c| backlog(c, SEARCH_CATCH_UP + 1))?;
        if (1..=SEARCH_CATCH_UP).contains(&queued) {
            let done = self.write(|c| decode_waiting(c, SEARCH_CATCH_UP))?;
            self.inner.announce_changed(&done);
        }
        Ok(())
    }
}

fn decode(raw: &[u8]) -> Decoded<'_> {
    Decoded {
        raw,
        // The HTML part is not kept: opening a message parses the raw body.
        text: crate::mime::parse(raw).text,
    }
}

/// Stores bodies by UID, decoded or (`None`) queued, in one transaction; re-indexes the
/// decoded ones. Returns the ids that gained a body.
fn put<'a>(
    c: &mut Connection,
    folder: FolderId,
    bodies: impl Iterator<Item = (u32, &'a [u8], Option<&'a Decoded<'a>>)>,
) -> rusqlite::Result<Vec<MessageId>> {
    let tx = c.transaction()?;
    let mut find =
        tx.prepare_cached("SELECT id FROM messages WHERE folder_id = ?1 AND uid = ?2")?;
    let mut ids = Vec::new();
    let mut decoded = Vec::new();
    for (uid, raw, d) in bodies {
        let Some(id): Option<MessageId> = find
            .query_row(params![folder, uid], |r| r.get(0))
            .optional()?
        else {
            continue;
        };
        write_one(&tx, id, raw, d)?;
        ids.push(id);
        if d.is_some() {
            decoded.push(id);
        }
    }
    drop(find);
    fulltext::index_bodies(&tx, &decoded)?;
    tx.commit()?;
    Ok(ids)
}

/// One body row, with its text and the message's snippet, or queued without them.
fn write_one(
    tx: &Transaction<'_>,
    id: MessageId,
    raw: &[u8],
    d: Option<&Decoded<'_>>,
) -> rusqlite::Result<()> {
    let text = d.map_or("", |d| d.text.as_str());
    tx.prepare_cached(
        "INSERT INTO bodies (message_id, raw, text, html) VALUES (?1, ?2, ?3, '')
         ON CONFLICT (message_id) DO UPDATE SET raw = excluded.raw, text = excluded.text, html = ''",
    )?
    .execute(params![id, raw, text])?;
    match d {
        Some(d) => {
            tx.prepare_cached("UPDATE messages SET snippet = ?2 WHERE id = ?1")?
                .execute(params![id, crate::mime::snippet(&d.text, SNIPPET)])?;
            tx.prepare_cached("DELETE FROM body_pending WHERE message_id = ?1")?
                .execute([id])?;
        }
        None => {
            tx.prepare_cached("INSERT OR IGNORE INTO body_pending (message_id) VALUES (?1)")?
                .execute([id])?;
        }
    }
    Ok(())
}

/// How many bodies wait to be decoded, counting no further than `max`.
pub(super) fn backlog(c: &Connection, max: usize) -> rusqlite::Result<usize> {
    c.prepare_cached("SELECT count(*) FROM (SELECT 1 FROM body_pending LIMIT ?1)")?
        .query_row([max as i64], |r| r.get(0))
}

/// Decodes up to `max` queued bodies in one transaction, oldest queued first, and returns
/// their messages by folder (their snippets changed).
pub(super) fn decode_waiting(c: &mut Connection, max: usize) -> rusqlite::Result<Vec<Changed>> {
    let tx = c.transaction()?;
    let rows: Vec<(MessageId, FolderId, i64, Vec<u8>)> = {
        let mut s = tx.prepare_cached(
            "SELECT p.message_id, m.folder_id, f.account_id, b.raw FROM body_pending p
             JOIN bodies b ON b.message_id = p.message_id
             JOIN messages m ON m.id = p.message_id
             JOIN folders f ON f.id = m.folder_id
             ORDER BY p.message_id LIMIT ?1",
        )?;
        let rows = s
            .query_map([max as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        rows
    };
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids = Vec::with_capacity(rows.len());
    {
        let mut set = tx.prepare_cached("UPDATE bodies SET text = ?2 WHERE message_id = ?1")?;
        let mut snip = tx.prepare_cached("UPDATE messages SET snippet = ?2 WHERE id = ?1")?;
        let mut done = tx.prepare_cached("DELETE FROM body_pending WHERE message_id = ?1")?;
        for (id, _, _, raw) in &rows {
            let text = crate::mime::parse(raw).text;
            set.execute(params![id, text])?;
            snip.execute(params![id, crate::mime::snippet(&text, SNIPPET)])?;
            done.execute([id])?;
            ids.push(*id);
        }
    }
    // Messages already in the search index get their body's words now; the others get them
    // when they are indexed.
    fulltext::index_bodies(&tx, &ids)?;
    tx.commit()?;
    Ok(Changed::by_folder(
        rows.iter()
            .map(|(id, folder, account, _)| (*account, *folder, *id)),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{fixture, header};

    fn raw(subject: &str, text: &str) -> Vec<u8> {
        format!("Subject: {subject}\r\nContent-Type: text/plain\r\n\r\n{text}\r\n").into_bytes()
    }

    #[test]
    fn bodies_stored_raw_are_decoded_later_like_those_decoded_at_once() {
        let f = fixture();
        f.store
            .insert_headers(
                f.inbox,
                &[
                    header(1, "a@x", &[], "one", 100),
                    header(2, "b@x", &[], "two", 200),
                ],
            )
            .unwrap();
        f.store.catch_up_search_index().unwrap();
        let now = f
            .store
            .store_bodies(f.inbox, &[(1, raw("one", "quokka at once"))])
            .unwrap();
        let later = f
            .store
            .store_raw_bodies(
                f.inbox,
                &[(2, raw("two", "wombat later")), (9, raw("x", "y"))],
            )
            .unwrap();
        assert_eq!(later.len(), 1, "a UID not cached is skipped");
        let waiting = f.store.message(later[0]).unwrap();
        assert_eq!(waiting.summary.snippet, "");
        assert!(
            waiting.body.unwrap().text.contains("wombat"),
            "it opens from the raw body meanwhile"
        );
        let backlog = |s: &super::Store| s.read(|c| super::backlog(c, 1000)).unwrap();
        assert_eq!(backlog(&f.store), 1);

        // A search decodes a short queue first, so the body's words are found at once.
        let q = |w: &str| crate::search::query::parse(w).unwrap();
        assert_eq!(f.store.search_count(&q("quokka"), None).unwrap(), 1);
        assert_eq!(f.store.search_count(&q("wombat"), None).unwrap(), 1);
        assert_eq!(
            f.store.message(later[0]).unwrap().summary.snippet,
            "wombat later"
        );
        assert_eq!(
            f.store.message(now[0]).unwrap().summary.snippet,
            "quokka at once"
        );
        assert_eq!(backlog(&f.store), 0);

        // A long queue (a first sync) is left to the background thread, or a catch-up.
        let many: Vec<_> = (10..10 + super::SEARCH_CATCH_UP as u32 + 5)
            .map(|u| header(u, &format!("m{u}@x"), &[], "many", 300 + u as i64))
            .collect();
        f.store.insert_headers(f.inbox, &many).unwrap();
        let bodies: Vec<_> = many
            .iter()
            .map(|h| (h.uid, raw("many", "numbat everywhere")))
            .collect();
        let _pause = f.store.pause_background();
        f.store.store_raw_bodies(f.inbox, &bodies).unwrap();
        f.store.catch_up_threads().unwrap();
        f.store.catch_up_search_index_if_short().unwrap();
        assert_eq!(backlog(&f.store), many.len());
        f.store.catch_up_bodies().unwrap();
        assert_eq!(backlog(&f.store), 0);
        f.store.catch_up_search_index().unwrap();
        assert_eq!(
            f.store.search_count(&q("numbat"), None).unwrap(),
            many.len() as u64
        );
    }

    #[test]
    fn a_body_fetched_again_while_queued_is_decoded_at_once_and_leaves_the_queue() {
        let f = fixture();
        f.store
            .insert_headers(f.inbox, &[header(1, "a@x", &[], "one", 100)])
            .unwrap();
        f.store
            .store_raw_bodies(f.inbox, &[(1, raw("one", "first"))])
            .unwrap();
        f.store
            .store_bodies(f.inbox, &[(1, raw("one", "second"))])
            .unwrap();
        let left: usize = f.store.read(|c| super::backlog(c, 10)).unwrap();
        assert_eq!(left, 0);
        let id = f.store.list(f.inbox, 0, 1).unwrap()[0].id;
        assert_eq!(f.store.message(id).unwrap().summary.snippet, "second");
    }
}
