//! Mirroring a folder into the cache: UIDVALIDITY check, new mail newest first in chunks,
//! then flag changes and expunges (CONDSTORE/QRESYNC where offered, a full compare otherwise).

use crate::account::AccountId;
use crate::error::Result;
use crate::events::{Event, EventSender, NewMailItem};
use crate::folder::{Folder, SyncState};
use crate::imap::ops::{Conn, Fetched, MailboxState, Span};
use crate::imap::seqset;
use crate::store::{NewMessages, Store};
use anyhow::Context;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Whole messages (offline mode) go to the cache in batches of at most this many, or about
/// this many bytes: small, so writing overlaps with fetching closely and memory stays
/// bounded whatever the messages' size.
const WHOLE_BATCH: usize = 500;
const WHOLE_BATCH_BYTES: usize = 4 << 20;

/// How sync behaves; the defaults suit a desktop client.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Messages in the first header chunk: small, so the newest mail shows at once.
    pub first_chunk: usize,
    /// Messages per later header chunk.
    pub chunk: usize,
    /// Bodies of this many newest messages per folder are prefetched for offline reading.
    pub prefetch_newest: u32,
    /// Messages larger than this are not prefetched.
    pub prefetch_max_size: u32,
    /// Messages per body FETCH.
    pub body_chunk: usize,
}

impl SyncOptions {
    /// Turns on offline mode: every body of every message, whatever its size.
    pub fn fetch_all_bodies(&mut self) {
        self.prefetch_newest = u32::MAX;
        self.prefetch_max_size = u32::MAX;
    }

    /// Whether offline mode is on.
    pub fn all_bodies(&self) -> bool {
        self.prefetch_newest == u32::MAX && self.prefetch_max_size == u32::MAX
    }
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            first_chunk: 500,
            chunk: 5000,
            prefetch_newest: 50,
            prefetch_max_size: 2 << 20,
            body_chunk: 100,
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub folders: u32,
    pub added: u32,
    pub changed: u32,
    pub removed: u32,
    pub bodies: u32,
    pub millis: u64,
}

impl SyncReport {
    fn add(&mut self, o: &SyncReport) {
        self.folders += o.folders;
        self.added += o.added;
        self.changed += o.changed;
        self.removed += o.removed;
        self.bodies += o.bodies;
    }
}

/// Shared context for syncing one account's folders over one connection.
pub struct Syncer<'a> {
    pub conn: &'a mut Conn,
    pub store: &'a Store,
    pub events: &'a EventSender,
    pub account: AccountId,
    pub opts: &'a SyncOptions,
}

impl Syncer<'_> {
    /// Refreshes the folder list, then syncs every selectable folder, INBOX first.
    ///
    /// Known folders are checked before LIST: Dovecot answers STATUS of a large folder in under
    /// a millisecond on a fresh connection, but takes a hundred times longer right after a
    /// LIST. Folders that LIST then reveals are synced after.
    pub async fn sync_all(&mut self) -> Result<SyncReport> {
        let start = Instant::now();
        // Threading bulk inserts and indexing them for search wait until this sync is done
        // (store/background.rs).
        let _pause = self.store.pause_background();
        let mut report = SyncReport::default();
        let mut known = self.store.folders(self.account)?;
        if known.is_empty() {
            // An account's first sync starts with INBOX, before LIST, for the same reason.
            known.push(self.store.add_inbox(self.account)?);
            self.events.send(Event::FoldersChanged {
                account: self.account,
            });
        }
        for f in known.iter().filter(|f| f.selectable) {
            match self.sync_folder(f).await {
                Ok(r) => report.add(&r),
                // Gone since the last LIST: the LIST below removes it from the cache.
                Err(e) if e.kind == crate::ErrorKind::Refused => {}
                Err(e) => return Err(e),
            }
        }
        self.refresh_folders().await?;
        for f in self.store.folders(self.account)? {
            if f.selectable && !known.iter().any(|k| k.id == f.id) {
                report.add(&self.sync_folder(&f).await?);
            }
        }
        report.millis = start.elapsed().as_millis() as u64;
        Ok(report)
    }

    /// Re-reads LIST/LSUB and stores the result.
    pub async fn refresh_folders(&mut self) -> Result<()> {
        let before = self.store.folders(self.account)?;
        let listed = self.conn.list_folders().await?;
        let store = self.store.clone();
        let account = self.account;
        store
            .run(move |s| s.replace_folders(account, &listed))
            .await?;
        let after = self.store.folders(self.account)?;
        let key = |v: &[Folder]| {
            v.iter()
                .map(|f| (f.name.clone(), f.role, f.subscribed, f.selectable))
                .collect::<Vec<_>>()
        };
        if key(&before) != key(&after) {
            self.events.send(Event::FoldersChanged {
                account: self.account,
            });
        }
        Ok(())
    }

    /// Brings one folder's cache in step with the server.
    pub async fn sync_folder(&mut self, folder: &Folder) -> Result<SyncReport> {
        self.sync_folder_checked(folder, true).await
    }

    /// Syncs a folder known to have changed (IDLE reported it), without the STATUS check:
    /// on a folder that changed, Dovecot answers STATUS by opening the whole mailbox, which
    /// costs as much as the SELECT that follows (about 60 ms each at 10k messages).
    pub async fn sync_changed_folder(&mut self, folder: &Folder) -> Result<SyncReport> {
        self.sync_folder_checked(folder, false).await
    }

    async fn sync_folder_checked(&mut self, folder: &Folder, check: bool) -> Result<SyncReport> {
        let mut report = SyncReport {
            folders: 1,
            ..SyncReport::default()
        };
        let cached = self.store.sync_state(folder.id)?;
        // Cheap check first: STATUS answers without selecting. With CONDSTORE an unchanged
        // HIGHESTMODSEQ means no flag changes and no expunges (RFC 7162 §3.1.2.1).
        // A first sync has nothing to compare STATUS with.
        if check && cached.uidvalidity != 0 {
            let status = self.conn.status(&folder.name).await?;
            if self.unchanged(folder, &cached, &status)? {
                return Ok(report);
            }
        }
        let sel = self.conn.select(&folder.name).await?;
        let mut cached = cached;
        if cached.uidvalidity != sel.uidvalidity {
            if cached.uidvalidity != 0 {
                tracing::info!(folder = %folder.display_name, "UIDVALIDITY changed; rebuilding the folder's cache");
                self.events.send(Event::MessagesRemoved {
                    account: self.account,
                    folder: folder.id,
                    ids: Vec::new(),
                });
            }
            // Also cleans rows left by an interrupted first sync under an unknown UIDVALIDITY.
            self.store.reset_folder(folder.id, sel.uidvalidity)?;
            cached = SyncState {
                uidvalidity: sel.uidvalidity,
                uidnext: 0,
                highestmodseq: 0,
            };
        }

        // Known messages first when resyncing: their flags and expunges are cheap to learn.
        if cached.uidnext > 0 {
            self.sync_known(folder, &cached, &sel, &mut report).await?;
        }
        self.fetch_new(folder, &cached, sel.exists, &mut report)
            .await?;

        let uidnext = if sel.uidnext > 0 {
            sel.uidnext
        } else {
            self.store.uids(folder.id)?.last().map_or(1, |u| u + 1)
        };
        self.store.recount(folder.id)?;
        self.store.set_sync_state(
            folder.id,
            SyncState {
                uidvalidity: sel.uidvalidity,
                uidnext,
                highestmodseq: sel.highestmodseq,
            },
        )?;
        self.send_counts(folder)?;
        report.bodies += self.prefetch(folder).await?;
        Ok(report)
    }

    /// Fetches mail that arrived in `folder` since the last sync, on a connection that has
    /// it selected already (the IDLE connection, told of it by `* EXISTS`), without the
    /// SELECT a sync starts with: on a changed folder Dovecot answers SELECT by reopening the
    /// whole mailbox, half a second at 100k messages, and the notification would wait for
    /// it. Flags, expunges and the folder's sync state are left to the sync that follows.
    /// `uidvalidity` is what the SELECT on this connection reported; under another one the
    /// cached UIDs mean nothing here, and the full sync sorts it out.
    pub async fn fetch_arrivals(&mut self, folder: &Folder, uidvalidity: u32) -> Result<u32> {
        let cached = self.store.sync_state(folder.id)?;
        if cached.uidnext == 0
            || cached.uidvalidity != uidvalidity
            || self.store.needs_rescan(folder.id)?
        {
            return Ok(0);
        }
        let mut report = SyncReport::default();
        self.fetch_new(folder, &cached, 0, &mut report).await?;
        Ok(report.added)
    }

    fn unchanged(
        &self,
        folder: &Folder,
        cached: &SyncState,
        status: &MailboxState,
    ) -> Result<bool> {
        if cached.uidvalidity == 0
            || self.store.needs_rescan(folder.id)?
            || cached.uidvalidity != status.uidvalidity
            || cached.uidnext != status.uidnext
        {
            return Ok(false);
        }
        if !self.conn.condstore()
            || status.highestmodseq == 0
            || status.highestmodseq != cached.highestmodseq
        {
            return Ok(false);
        }
        Ok(self.store.folder(folder.id)?.total == status.exists)
    }

    /// Learns flag changes and expunges of messages already cached.
    async fn sync_known(
        &mut self,
        folder: &Folder,
        cached: &SyncState,
        sel: &MailboxState,
        report: &mut SyncReport,
    ) -> Result<()> {
        let max_uid = cached.uidnext.saturating_sub(1);
        let use_modseq = self.conn.condstore() && cached.highestmodseq > 0 && sel.highestmodseq > 0;
        if use_modseq && sel.highestmodseq == cached.highestmodseq {
            // Nothing changed since the last sync; only new mail can be waiting.
            return Ok(());
        }
        let (rows, vanished) = self
            .conn
            .fetch_flags(max_uid, use_modseq.then_some(cached.highestmodseq))
            .await?;
        let gone: Vec<u32> = if use_modseq && self.conn.qresync {
            vanished
        } else if use_modseq {
            // CONDSTORE without QRESYNC says nothing of expunges: compare UID sets.
            let on_server: HashSet<u32> =
                self.conn.uids_in(1, max_uid).await?.into_iter().collect();
            self.store
                .uids(folder.id)?
                .into_iter()
                .filter(|u| *u <= max_uid && !on_server.contains(u))
                .collect()
        } else {
            // No CONDSTORE: the full flag list is the truth; anything missing was expunged.
            let seen: HashSet<u32> = rows.iter().map(|r| r.0).collect();
            self.store
                .uids(folder.id)?
                .into_iter()
                .filter(|u| *u <= max_uid && !seen.contains(u))
                .collect()
        };
        let store = self.store.clone();
        let fid = folder.id;
        let (changed, removed) = store
            .run(move |s| {
                let changed = s.update_flags(fid, &rows)?;
                let removed = s.remove_uids(fid, &gone)?;
                Ok((changed, removed))
            })
            .await?;
        report.changed += changed.len() as u32;
        report.removed += removed.len() as u32;
        if !changed.is_empty() {
            self.events.send(Event::MessagesChanged {
                account: self.account,
                folder: folder.id,
                ids: changed,
            });
        }
        if !removed.is_empty() {
            self.events.send(Event::MessagesRemoved {
                account: self.account,
                folder: folder.id,
                ids: removed,
            });
        }
        Ok(())
    }

    /// Fetches messages the cache lacks, newest first, one FETCH and one transaction per chunk.
    /// Inserting a chunk overlaps with fetching the next.
    /// `exists` is the folder's message count from the SELECT that opened it.
    async fn fetch_new(
        &mut self,
        folder: &Folder,
        cached: &SyncState,
        exists: u32,
        report: &mut SyncReport,
    ) -> Result<()> {
        let rescan = self.store.needs_rescan(folder.id)?;
        // Mail found again by a rescan is not new mail either: no notification.
        let first_sync = cached.uidnext == 0 || rescan;
        // UIDs held by queued actions are accounted for: a message moved here whose UID is
        // known but not yet settled, or one moved away from here that the server still has.
        // A rescan (after a conflict) looks for every UID the cache lacks, not only new ones.
        let from = if rescan { 1 } else { cached.uidnext.max(1) };
        let have = self.store.known_uids_from(folder.id, from)?;
        let (chunks, total) = if cached.uidnext == 0 && !rescan && have.is_empty() {
            // A first sync into an empty cache wants every message, so it asks by sequence
            // number and needs no UID SEARCH (600 KB of UIDs at 100k messages). The numbers
            // from SELECT hold for the whole run: a server sends no EXPUNGE (nor VANISHED)
            // while answering FETCH (RFC 3501 §7.4.1, RFC 7162 §3.2.10), and only FETCHes
            // go to it until the last chunk.
            let plan = first_sync_ranges(self.opts, exists);
            (
                plan.into_iter()
                    .map(|(lo, hi)| Chunk::Seq(lo, hi))
                    .collect(),
                exists,
            )
        } else {
            let mut uids = self.conn.uids_from(from).await?;
            uids.retain(|u| !have.contains(u));
            let total = uids.len() as u32;
            let (first, rest) = uids.split_at(uids.len().saturating_sub(self.opts.first_chunk));
            let mut chunks = vec![Chunk::Uids(rest.to_vec())];
            chunks.extend(
                seqset::newest_first_chunks(first, self.opts.chunk)
                    .into_iter()
                    .map(Chunk::Uids),
            );
            (chunks, total)
        };
        let chunks: Vec<Chunk> = chunks
            .into_iter()
            .filter(|c| !c.span().is_empty())
            .collect();
        if chunks.is_empty() {
            return Ok(());
        }

        // The store's background work waits until this folder's new mail is in, also when
        // the folder is synced alone (new mail seen by IDLE).
        let _pause = self.store.pause_background();
        // A writer task commits each batch and announces it as soon as it is committed,
        // while this loop already fetches the next one.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Fetched>(2);
        let announce = Announcer {
            store: self.store.clone(),
            events: self.events.clone(),
            account: self.account,
            folder: folder.id,
            first_sync,
            total,
        };
        let writer = tokio::spawn(async move {
            let (mut done, mut bodies) = (0u32, 0u32);
            while let Some(batch) = rx.recv().await {
                let store = announce.store.clone();
                let fid = announce.folder;
                // Whole messages come in small batches, which a first sync still threads
                // in bulk after the newest.
                let bulk = first_sync && done > 0 && !batch.bodies.is_empty();
                let (added, stored) = tokio::task::spawn_blocking(move || {
                    let added = match bulk {
                        true => store.insert_headers_in_bulk(fid, &batch.headers)?,
                        false => store.insert_headers(fid, &batch.headers)?,
                    };
                    // Bodies fetched in bulk are decoded later (store/bodies.rs).
                    let stored = match batch.bodies.is_empty() {
                        true => 0,
                        false => store.store_raw_bodies(fid, &batch.bodies)?.len() as u32,
                    };
                    Ok::<_, crate::Error>((added, stored))
                })
                .await
                .context("Writing messages to the cache")??;
                done += added.ids.len() as u32;
                bodies += stored;
                announce.added(&added, done)?;
            }
            Ok::<(u32, u32), crate::Error>((done, bodies))
        });
        // Offline mode fetches each new message whole in the same FETCH as its cache row:
        // one pass over the folder instead of two.
        let whole = self.opts.all_bodies();
        let mut failed = None;
        for chunk in chunks {
            let sent = if whole {
                self.conn
                    .fetch_full(&chunk.span(), WHOLE_BATCH, WHOLE_BATCH_BYTES, &tx)
                    .await
            } else {
                match self.conn.fetch_header_rows(&chunk.span()).await {
                    Ok(headers) => Ok(tx
                        .send(Fetched {
                            headers,
                            bodies: Vec::new(),
                        })
                        .await
                        .is_ok()),
                    Err(e) => Err(e),
                }
            };
            match sent {
                Ok(true) => {}
                Ok(false) => break, // the writer failed; its error is returned below
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        drop(tx);
        // Whatever was fetched before a failure is committed and announced first.
        let (done, bodies) = writer.await.context("Writing messages to the cache")??;
        report.added += done;
        report.bodies += bodies;
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    fn send_counts(&self, folder: &Folder) -> Result<()> {
        let f = self.store.folder(folder.id)?;
        self.events.send(Event::FolderCounts {
            account: self.account,
            folder: f.id,
            total: f.total,
            unread: f.unread,
        });
        Ok(())
    }

    /// Fetches bodies of the newest messages so they read offline. The folder is selected.
    /// One FETCH per chunk; storing a chunk (MIME parsing, text, search index: one
    /// transaction) overlaps with fetching the next, as in `fetch_new`.
    async fn prefetch(&mut self, folder: &Folder) -> Result<u32> {
        if self.opts.prefetch_newest == 0 {
            return Ok(0);
        }
        let uids = self.store.uids_without_body(
            folder.id,
            self.opts.prefetch_newest,
            self.opts.prefetch_max_size,
        )?;
        if uids.is_empty() {
            return Ok(0);
        }
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<(u32, Vec<u8>)>>(2);
        let (store, events, account, fid) = (
            self.store.clone(),
            self.events.clone(),
            self.account,
            folder.id,
        );
        let writer = tokio::spawn(async move {
            let mut n = 0u32;
            while let Some(bodies) = rx.recv().await {
                let ids = store.run(move |s| s.store_bodies(fid, &bodies)).await?;
                n += ids.len() as u32;
                if !ids.is_empty() {
                    events.send(Event::MessagesChanged {
                        account,
                        folder: fid,
                        ids,
                    });
                }
            }
            Ok::<u32, crate::Error>(n)
        });
        let mut failed = None;
        for chunk in seqset::newest_first_chunks(&uids, self.opts.body_chunk) {
            match self.conn.fetch_bodies(&chunk).await {
                Ok(bodies) => {
                    if tx.send(bodies).await.is_err() {
                        break; // the writer failed; its error is returned below
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        drop(tx);
        // Bodies fetched before a failure are stored first.
        let n = writer.await.context("Storing message bodies")??;
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(n),
        }
    }

    /// Fetches and caches bodies of `uids` in the selected folder.
    pub async fn fetch_bodies(&mut self, folder: &Folder, uids: &[u32]) -> Result<u32> {
        let bodies = self.conn.fetch_bodies(uids).await?;
        let store = self.store.clone();
        let fid = folder.id;
        let ids = store.run(move |s| s.store_bodies(fid, &bodies)).await?;
        let n = ids.len() as u32;
        if n > 0 {
            self.events.send(Event::MessagesChanged {
                account: self.account,
                folder: folder.id,
                ids,
            });
        }
        Ok(n)
    }
}

/// Sequence ranges covering messages `1..=exists`, newest first: the newest `first_chunk`,
/// then `chunk`-sized ranges, and the last two chunks' worth in halves down to
/// `first_chunk`. The sync ends once the last chunk is written, which nothing overlaps:
/// chunks shrinking at the end keep the writer from lagging a whole chunk behind then.
pub fn first_sync_ranges(opts: &SyncOptions, exists: u32) -> Vec<(u32, u32)> {
    let small = opts.first_chunk.max(1) as u32;
    let big = (opts.chunk as u32).max(small);
    let mut out = Vec::new();
    let mut hi = exists;
    while hi > 0 {
        let size = if out.is_empty() {
            small
        } else if hi > 2 * big {
            big
        } else {
            (hi / 2).max(small)
        };
        let lo = hi.saturating_sub(size - 1).max(1);
        out.push((lo, hi));
        hi = lo - 1;
    }
    out
}

/// One FETCH's worth of new messages.
enum Chunk {
    Uids(Vec<u32>),
    Seq(u32, u32),
}

impl Chunk {
    fn span(&self) -> Span<'_> {
        match self {
            Chunk::Uids(u) => Span::Uids(u),
            Chunk::Seq(lo, hi) => Span::Seq(*lo, *hi),
        }
    }
}

/// Announces committed batches of new messages: one event per batch, never per message.
struct Announcer {
    store: Store,
    events: EventSender,
    account: AccountId,
    folder: crate::folder::FolderId,
    /// The folder's first sync: its mail is not "new" and raises no notification.
    first_sync: bool,
    total: u32,
}

impl Announcer {
    fn added(&self, added: &NewMessages, done: u32) -> Result<()> {
        let (account, folder) = (self.account, self.folder);
        if !added.ids.is_empty() {
            self.events.send(Event::MessagesAdded {
                account,
                folder,
                ids: added.ids.clone(),
            });
        }
        if !self.first_sync && !added.unread.is_empty() {
            let messages = self
                .store
                .summaries(&added.unread)?
                .into_iter()
                .map(|m| NewMailItem {
                    id: m.id,
                    from: m.from,
                    subject: m.subject,
                    date: m.date,
                })
                .collect();
            self.events.send(Event::NewMail {
                account,
                folder,
                messages,
            });
        }
        self.events.send(Event::SyncProgress {
            account,
            folder,
            done,
            total: self.total,
        });
        let f = self.store.folder(folder)?;
        self.events.send(Event::FolderCounts {
            account,
            folder,
            total: f.total,
            unread: f.unread,
        });
        Ok(())
    }
}

/// Backoff for reconnecting: doubles from `base` up to `max`.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    base.saturating_mul(1u32 << attempt.min(16)).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq_plan(exists: u32, first: usize, chunk: usize) -> Vec<(u32, u32)> {
        let opts = SyncOptions {
            first_chunk: first,
            chunk,
            ..SyncOptions::default()
        };
        first_sync_ranges(&opts, exists)
    }

    #[test]
    fn first_sync_chunks_cover_every_number_once_newest_first_ending_small() {
        assert_eq!(seq_plan(0, 500, 5000), vec![]);
        assert_eq!(seq_plan(300, 500, 5000), vec![(1, 300)]);
        assert_eq!(seq_plan(800, 500, 5000), vec![(301, 800), (1, 300)]);
        assert_eq!(
            seq_plan(12_000, 500, 5000),
            vec![
                (11_501, 12_000),
                (6501, 11_500),
                (3251, 6500),
                (1626, 3250),
                (814, 1625),
                (314, 813),
                (1, 313)
            ]
        );
        for exists in [1, 499, 500, 501, 5499, 5500, 5501, 100_000, 123_457] {
            let plan = seq_plan(exists, 500, 5000);
            let mut next = exists;
            for (lo, hi) in &plan {
                assert_eq!(*hi, next, "{exists}: {plan:?}");
                assert!(lo <= hi && hi - lo < 5000, "{exists}: {plan:?}");
                next = lo - 1;
            }
            assert_eq!(next, 0, "{exists}: {plan:?}");
            let (lo, hi) = plan[plan.len() - 1];
            assert!(hi - lo < 500, "{exists}: the last chunk is small: {plan:?}");
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Duration::from_secs(1);
        let m = Duration::from_secs(60);
        assert_eq!(backoff(0, b, m), Duration::from_secs(1));
        assert_eq!(backoff(3, b, m), Duration::from_secs(8));
        assert_eq!(backoff(30, b, m), m);
    }
}
