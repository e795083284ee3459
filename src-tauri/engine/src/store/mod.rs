//! The local cache: one SQLite file in WAL mode, one writer and a few readers.
//! Accounts and settings live here too; the message tables may be rebuilt from the server.

mod accounts;
mod actions;
mod background;
mod bodies;
pub mod drafts;
#[cfg(test)]
pub(crate) mod fixture;
mod folders;
mod fulltext;
mod handles;
mod messages;
pub mod migrations;
pub mod outbox;
mod pending;
mod threading;
mod threads;

pub use actions::{Queued, UndoRecord};
pub use background::{Changed, Pause};
pub use drafts::{DraftInfo, ServerCopy};
pub use handles::{Handle, Place};
pub use messages::NewMessages;
pub use outbox::{DraftId, OutboxId, OutboxItem, OutboxState};
pub use pending::Touched;

use crate::error::{Error, ErrorKind, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex, MutexGuard};

const READERS: usize = 3;
/// Each reader's page cache, in KiB as `cache_size` takes it when negative.
const READER_CACHE_KIB: i64 = -8000;

/// A handle to the cache; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    /// Wakes the store's background thread (store/background.rs).
    background: SyncSender<()>,
    /// How many [`Pause`]s are alive.
    paused: AtomicUsize,
    /// Whether the writer's WAL checkpoints are put off for a sync (see `lock_writer`);
    /// changed only with the writer held.
    wal_deferred: AtomicBool,
    /// Told which messages the background work changed after their insert.
    on_changed: Mutex<Option<ChangedListener>>,
    /// Counts the writer's uses, each counted as it ends: what was read under one value
    /// still holds while it is unchanged (search/words.rs caches by it).
    generation: AtomicU64,
    /// The words a search last looked up for a word being typed (search/words.rs).
    completions: Mutex<Option<crate::search::Completions>>,
}

type ChangedListener = Box<dyn Fn(&[Changed]) + Send + Sync>;

impl Inner {
    fn announce_changed(&self, batches: &[Changed]) {
        if batches.is_empty() {
            return;
        }
        if let Some(f) = &*self.on_changed.lock().unwrap_or_else(|p| p.into_inner()) {
            f(batches);
        }
    }
}

/// The writer connection while it is in use; counts a generation when released.
struct Writer<'a> {
    conn: MutexGuard<'a, Connection>,
    generation: &'a AtomicU64,
}

impl std::ops::Deref for Writer<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

impl Store {
    /// Opens (creating if needed) the cache at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::new(
                    ErrorKind::Storage,
                    format!("Cannot create the data directory {}: {e}", dir.display()),
                )
            })?;
        }
        let mut writer = Connection::open(path).map_err(|e| {
            Error::new(
                ErrorKind::Storage,
                format!("Cannot open the cache {}: {e}", path.display()),
            )
        })?;
        configure(&writer)?;
        migrations::run(&mut writer)
            .map_err(|e| Error::new(ErrorKind::Storage, format!("{e:#}")))?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            configure(&r)?;
            // Readers share the OS page cache; a smaller private cache each keeps an idle
            // app's memory down (searches and lists measured no slower).
            r.pragma_update(None, "cache_size", READER_CACHE_KIB)?;
            readers.push(Mutex::new(r));
        }
        let (background, wake) = std::sync::mpsc::sync_channel(1);
        let store = Store {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers,
                background,
                paused: AtomicUsize::new(0),
                wal_deferred: AtomicBool::new(false),
                on_changed: Mutex::new(None),
                generation: AtomicU64::new(0),
                completions: Mutex::new(None),
            }),
        };
        let weak = Arc::downgrade(&store.inner);
        std::thread::Builder::new()
            .name("tern-store-background".into())
            .spawn(move || background::run(weak, wake))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Storage,
                    format!("Cannot start the cache's background thread: {e}"),
                )
            })?;
        // Whatever a previous run left waiting (or migration 3 left: messages cached before
        // threads and search existed) is threaded and indexed now.
        background::wake(&store.inner.background);
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on the writer connection. Blocking: call from `spawn_blocking` in async code.
    pub fn write<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut conn = lock_writer(&self.inner);
        f(&mut conn).map_err(storage)
    }

    /// How many times the writer has been used and released (see `Inner::generation`).
    pub(crate) fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }

    /// The cache of a search's word lookups (search/words.rs).
    pub(crate) fn completions_cache(&self) -> &Mutex<Option<crate::search::Completions>> {
        &self.inner.completions
    }

    /// Runs `f` on a free reader connection (or waits for one).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        for r in &self.inner.readers {
            if let Ok(conn) = r.try_lock() {
                return f(&conn).map_err(storage);
            }
        }
        let conn = lock(&self.inner.readers[0])?;
        f(&conn).map_err(storage)
    }

    /// Holds off the store's background work (threading bulk inserts, indexing for search)
    /// until the returned guard is dropped. A sync holds one while it runs.
    pub fn pause_background(&self) -> Pause {
        self.inner.paused.fetch_add(1, Ordering::SeqCst);
        Pause {
            inner: self.inner.clone(),
        }
    }

    /// Sets what is told, after the commit, which messages the background work changed after
    /// their insert: threaded (bulk inserts are threaded later; see store/threading.rs) or
    /// their body decoded (store/bodies.rs). Replaces any listener set before.
    pub fn on_changed(&self, f: impl Fn(&[Changed]) + Send + Sync + 'static) {
        *self
            .inner
            .on_changed
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(Box::new(f));
    }

    /// Threads every message still waiting, now (the background thread does the same once
    /// inserts pause). For a process about to exit after a sync, tests and benchmarks.
    pub fn catch_up_threads(&self) -> Result<()> {
        loop {
            let done = self.write(|c| threading::thread_waiting(c, 5000))?;
            if done.is_empty() {
                return Ok(());
            }
            self.inner.announce_changed(&done);
        }
    }

    /// Threads the waiting messages if there are few, so a read of conversations sees new
    /// mail in its thread; many (a first sync) are left to the background thread.
    pub(crate) fn catch_up_threads_if_short(&self) -> Result<()> {
        let (any, long) = self.read(|c| {
            Ok((
                threading::waiting(c)?,
                threading::waiting_over(c, threading::READ_CATCH_UP)?,
            ))
        })?;
        if any && !long {
            let done = self.write(|c| threading::thread_waiting(c, threading::READ_CATCH_UP))?;
            self.inner.announce_changed(&done);
        }
        Ok(())
    }

    /// Indexes every message still queued for search, now (the background thread does the
    /// same once inserts pause). For a process about to exit after a sync, and benchmarks.
    pub fn catch_up_search_index(&self) -> Result<()> {
        self.catch_up_bodies()?;
        while self.write(|c| fulltext::index_queued(c, 5000))? > 0 {}
        Ok(())
    }

    /// Indexes the search queue if it is short, so just-arrived mail is found; a long one
    /// (a first sync) is left to the background thread.
    pub(crate) fn catch_up_search_index_if_short(&self) -> Result<()> {
        self.catch_up_bodies_if_short()?;
        // Nothing queued (the usual case) needs no writer, which sync may be holding.
        let queued = self.read(|c| fulltext::backlog(c, fulltext::SEARCH_CATCH_UP + 1))?;
        if (1..=fulltext::SEARCH_CATCH_UP).contains(&queued) {
            self.write(|c| fulltext::index_queued(c, fulltext::SEARCH_CATCH_UP))?;
        }
        Ok(())
    }

    /// Empties the full-text index and builds it again from the cached messages and bodies
    /// (repair and measurement; sync keeps it current by itself). One transaction.
    /// Copies the WAL into the database and truncates it, waiting for readers (measurement
    /// of the cache's size; SQLite checkpoints by itself otherwise).
    pub fn checkpoint(&self) -> Result<()> {
        self.write(|c| c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())))
    }

    pub fn rebuild_search_index(&self) -> Result<()> {
        self.write(fulltext::rebuild)
    }

    /// Runs a blocking cache job off the async runtime.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| Error::new(ErrorKind::Cancelled, format!("cache task stopped: {e}")))?
    }
}

/// SQLite's default: a commit checkpoints the WAL once it holds this many pages.
const WAL_PAGES: i64 = 1000;
/// The same while a sync runs: 256 MiB of 4 KiB pages. (`journal_size_limit` then shrinks
/// the WAL file back to 64 MiB once it is checkpointed and reused.)
const WAL_PAGES_DEFERRED: i64 = 65536;

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    crate::search::register_functions(conn).map_err(storage)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -32000;
         PRAGMA journal_size_limit = 67108864;",
    )?;
    Ok(())
}

fn lock_writer(inner: &Inner) -> Writer<'_> {
    // As `lock`: a poisoned lock is still safe to use.
    let w = Writer {
        conn: inner.writer.lock().unwrap_or_else(|p| p.into_inner()),
        generation: &inner.generation,
    };
    // While a sync runs (a Pause is held), commits leave the WAL to grow instead of copying
    // it into the database every 1000 pages: a full-body sync writes its bodies once, not
    // twice, and is about a third faster. Bounded, so a sync of gigabytes does not double
    // the disk it needs. The store's background thread checkpoints once the sync is over
    // (`end_wal_deferral`), so no user action's commit pays for it.
    if inner.paused.load(Ordering::SeqCst) > 0 && !inner.wal_deferred.load(Ordering::SeqCst) {
        match w.pragma_update(None, "wal_autocheckpoint", WAL_PAGES_DEFERRED) {
            Ok(()) => inner.wal_deferred.store(true, Ordering::SeqCst),
            Err(e) => tracing::warn!("cannot change the cache's checkpoint interval: {e}"),
        }
    }
    w
}

/// Copies the WAL a sync left into the database and goes back to checkpointing every 1000
/// pages (see `lock_writer`). Called by the background thread once no sync runs.
fn end_wal_deferral(inner: &Inner, conn: &Connection) -> rusqlite::Result<()> {
    if !inner.wal_deferred.load(Ordering::SeqCst) {
        return Ok(());
    }
    // PASSIVE: readers are never blocked; what a reader still needs stays in the WAL for
    // the next checkpoint.
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
    conn.pragma_update(None, "wal_autocheckpoint", WAL_PAGES)?;
    inner.wal_deferred.store(false, Ordering::SeqCst);
    Ok(())
}

fn lock(m: &Mutex<Connection>) -> Result<MutexGuard<'_, Connection>> {
    // A panic while holding the lock leaves SQLite itself consistent (the transaction rolls
    // back when dropped), so a poisoned lock is still safe to use.
    Ok(m.lock().unwrap_or_else(|p| p.into_inner()))
}

fn storage(e: rusqlite::Error) -> Error {
    let full = matches!(&e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull);
    let msg = if full {
        format!("The disk is full; the cache could not be written ({e})")
    } else {
        format!("Local cache: {e}")
    };
    Error::new(ErrorKind::Storage, msg)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod wal_tests {
    use super::fixture::fixture;

    fn interval(s: &super::Store) -> i64 {
        s.write(|c| c.pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0)))
            .unwrap()
    }

    #[test]
    fn checkpoints_wait_while_a_sync_runs_then_the_background_thread_does_one() {
        let f = fixture();
        assert_eq!(interval(&f.store), super::WAL_PAGES);
        let pause = f.store.pause_background();
        assert_eq!(interval(&f.store), super::WAL_PAGES_DEFERRED);
        drop(pause);
        // Until the background thread has checkpointed, a commit would pay for the sync's
        // WAL: it keeps the deferral.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while interval(&f.store) != super::WAL_PAGES {
            assert!(std::time::Instant::now() < deadline, "never checkpointed");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
