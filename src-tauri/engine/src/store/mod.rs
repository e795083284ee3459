//! The local cache: one SQLite file in WAL mode, one writer and a few readers.
//! Accounts and settings live here too; the message tables may be rebuilt from the server.

mod accounts;
mod folders;
mod messages;
pub mod migrations;
mod pending;

pub use messages::NewMessages;
pub use pending::Touched;

use crate::error::{Error, ErrorKind, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

const READERS: usize = 3;

/// A handle to the cache; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
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
            readers.push(Mutex::new(r));
        }
        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on the writer connection. Blocking: call from `spawn_blocking` in async code.
    pub fn write<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut conn = lock(&self.inner.writer)?;
        f(&mut conn).map_err(storage)
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

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -32000;",
    )?;
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
