//! The store's background thread: the work the insert path leaves for later, done once
//! inserts pause. It checkpoints the WAL a sync left, threads messages inserted in bulk
//! (threading.rs), decodes bodies fetched in bulk (bodies.rs), then indexes new mail for
//! search (fulltext.rs), a slice per transaction, going back to waiting when inserts
//! resume. A first sync of a large mailbox waits on none of it. While a [`Pause`] is held (a
//! sync running), it starts nothing: between a sync's chunks it would take the writer and
//! the CPU from the inserts the sync waits on.

use super::threading;
use super::{bodies, fulltext, Inner};
use crate::account::AccountId;
use crate::folder::FolderId;
use crate::message::MessageId;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How long inserts must pause before the background thread takes the writer.
const QUIET: Duration = Duration::from_millis(250);
/// Messages threaded per transaction (tens of milliseconds).
const THREAD_SLICE: usize = 5000;

/// While alive, the store's background thread starts no work; once it is dropped (and no
/// other is alive), the thread goes on after inserts pause.
pub struct Pause {
    pub(super) inner: Arc<Inner>,
}

impl Drop for Pause {
    fn drop(&mut self) {
        self.inner.paused.fetch_sub(1, Ordering::SeqCst);
        wake(&self.inner.background);
    }
}

/// Wakes the background thread; a pending wake already covers this one.
pub(super) fn wake(tx: &SyncSender<()>) {
    let _ = tx.try_send(());
}

/// Messages of one folder that the background work changed after their insert (threaded,
/// or their body decoded), for the events that announce it: views of them re-query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub account: AccountId,
    pub folder: FolderId,
    pub ids: Vec<MessageId>,
}

impl Changed {
    /// `(account, folder, message)` items grouped by folder.
    pub(super) fn by_folder(
        items: impl IntoIterator<Item = (AccountId, FolderId, MessageId)>,
    ) -> Vec<Changed> {
        let mut by_folder: BTreeMap<FolderId, Changed> = BTreeMap::new();
        for (account, folder, id) in items {
            by_folder
                .entry(folder)
                .or_insert_with(|| Changed {
                    account,
                    folder,
                    ids: Vec::new(),
                })
                .ids
                .push(id);
        }
        by_folder.into_values().collect()
    }
}

/// What one step did.
enum Step {
    /// Messages threaded or bodies decoded.
    Changed(Vec<Changed>),
    /// How many messages were indexed for search.
    Indexed(usize),
}

/// One transaction of work: a slice of waiting messages threaded, else a slice of bodies
/// decoded, else a slice indexed.
fn step(conn: &mut Connection) -> rusqlite::Result<Step> {
    let threaded = threading::thread_waiting(conn, THREAD_SLICE)?;
    if !threaded.is_empty() {
        return Ok(Step::Changed(threaded));
    }
    let decoded = bodies::decode_waiting(conn, bodies::SLICE)?;
    if !decoded.is_empty() {
        return Ok(Step::Changed(decoded));
    }
    Ok(Step::Indexed(fulltext::index_queued(
        conn,
        fulltext::SLICE,
    )?))
}

/// The thread's loop: waits for a wake, then for inserts to pause and no [`Pause`] to be
/// held, then works step by step until nothing is left or inserts resume. It ends when the
/// store is dropped (the wake channel closes).
pub(super) fn run(store: Weak<Inner>, wake: Receiver<()>) {
    while wake.recv().is_ok() {
        'quiet: loop {
            // Sync is inserting while wakes keep coming, or holds a pause between chunks; it
            // has the writer to itself.
            loop {
                match wake.recv_timeout(QUIET) {
                    Ok(()) => {}
                    Err(RecvTimeoutError::Timeout) => match paused(&store) {
                        Some(true) => {}
                        Some(false) => break,
                        None => return,
                    },
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if let Some(inner) = store.upgrade() {
                let conn = super::lock_writer(&inner);
                if let Err(e) = super::end_wal_deferral(&inner, &conn) {
                    tracing::warn!("checkpointing the cache after a sync failed: {e}");
                }
            }
            loop {
                let Some(inner) = store.upgrade() else { return };
                let done = {
                    let mut conn = super::lock_writer(&inner);
                    step(&mut conn)
                };
                let more = match done {
                    Ok(Step::Changed(batches)) => {
                        inner.announce_changed(&batches);
                        true
                    }
                    Ok(Step::Indexed(n)) => n == fulltext::SLICE,
                    Err(e) => {
                        tracing::warn!("background work on the cache failed: {e}");
                        false
                    }
                };
                drop(inner);
                if !more {
                    break 'quiet;
                }
                match wake.try_recv() {
                    Ok(()) => continue 'quiet,
                    Err(TryRecvError::Empty) => {}
                    Err(TryRecvError::Disconnected) => return,
                }
                if paused(&store) != Some(false) {
                    continue 'quiet;
                }
            }
        }
    }
}

/// Whether a [`Pause`] is held; `None` once the store is gone.
fn paused(store: &Weak<Inner>) -> Option<bool> {
    let inner = store.upgrade()?;
    let held = inner.paused.load(Ordering::SeqCst) > 0;
    Some(held)
}
