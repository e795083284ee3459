//! Full-body sync of a folder for offline reading: Tern's all-bodies mode against mbsync's
//! initial sync of the same folder and a raw `UID FETCH 1:* BODY.PEEK[]`, run by run.

use crate::mbsync::Mbsync;
use crate::raw::{self, Target};
use crate::report::Figure;
use anyhow::{ensure, Context, Result};
use std::time::{Duration, Instant};
use tern_engine::{Engine, EngineOptions};
use tern_testsupport::Testbed;

/// The user whose account holds only the full-body folder: Tern's offline mode applies to a
/// whole account, so the 10k folder is timed alone in an account of its own.
pub const USER: &str = "bob";
/// The folder seeded with full-body messages.
pub const FOLDER: &str = "Bodies";

/// Samples of each side, in seconds, plus sizes.
pub struct Bodies {
    pub raw: Figure,
    pub tern: Figure,
    pub mbsync: Figure,
    /// Bytes of the raw reply (all bodies).
    pub raw_bytes: u64,
    /// Tern's cache after a full-body sync.
    pub cache_bytes: u64,
    /// After each Tern sync: until the store's background work on it (threading, decoding
    /// the bodies, indexing them for search) was done, in seconds. Waited for before the
    /// next measurement, so it never competes with mbsync or the raw client.
    pub background: Figure,
    pub mbsync_rss_kib: u64,
}

/// Engine options for offline mode: every body, whatever its size.
pub fn offline_options() -> EngineOptions {
    let mut o = EngineOptions::default();
    o.sync.fetch_all_bodies();
    o
}

/// One Tern full-body sync of bob's account into a fresh profile, then the store's
/// background work on it, each timed; the profile is returned so the caller can measure
/// opening its (cached) messages.
pub async fn tern_once(
    tb: &Testbed,
    n: usize,
) -> Result<(Duration, Duration, tempfile::TempDir, Engine)> {
    let profile = tempfile::tempdir().context("profile dir")?;
    let engine = Engine::open(profile.path(), tb.credentials(), offline_options())?;
    let id = engine.add_account(&tb.account(USER))?;
    let t = Instant::now();
    let report = engine.sync(id).await.context("Tern full-body sync")?;
    let took = t.elapsed();
    ensure!(
        report.added as usize == n && report.bodies as usize == n,
        "VERIFY FAILED: Tern's full-body sync added {} messages and {} bodies, expected {n}",
        report.added,
        report.bodies
    );
    let t = Instant::now();
    let store = engine.store().clone();
    tokio::task::spawn_blocking(move || {
        store.catch_up_threads()?;
        store.catch_up_search_index()
    })
    .await
    .context("background work")??;
    Ok((took, t.elapsed(), profile, engine))
}

/// Alternates raw, Tern and mbsync (initial sync into an emptied maildir) `runs` times.
pub async fn measure(
    tb: &Testbed,
    n: usize,
    runs: u32,
) -> Result<(Bodies, (tempfile::TempDir, Engine))> {
    let target = Target {
        port: tb.imaps_port,
        ca_file: tb.ca_file.clone(),
        user: USER.into(),
        password: tb.password(USER),
    };
    let mb = Mbsync::new(tb, USER, FOLDER)?;
    // Priming: Dovecot reads every file once, so no side pays for a cold page cache.
    let p = raw::fetch_pass(&target, FOLDER, "(UID BODY.PEEK[])").await?;
    ensure!(
        p.fetched as usize == n,
        "the server has {} messages in {FOLDER}, expected {n}",
        p.fetched
    );
    let (mut r, mut t, mut m, mut bg) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut raw_bytes = 0;
    let mut mbsync_rss_kib = 0;
    let mut kept = None;
    for i in 0..runs {
        tokio::task::block_in_place(crate::sys::settle);
        let p = raw::fetch_pass(&target, FOLDER, "(UID BODY.PEEK[])").await?;
        raw_bytes = p.bytes;
        r.push(p.fetch.as_secs_f64());
        // The previous run's profile goes before the disk settles, not during this run.
        drop(kept.take());
        tokio::task::block_in_place(crate::sys::settle);
        let (took, background, profile, engine) = tern_once(tb, n).await?;
        t.push(took.as_secs_f64());
        bg.push(background.as_secs_f64());
        kept = Some((profile, engine));
        mb.reset()?;
        tokio::task::block_in_place(crate::sys::settle);
        let run = tokio::task::block_in_place(|| mb.run())?;
        let got = mb.count(FOLDER)?;
        ensure!(
            got == n,
            "VERIFY FAILED: mbsync copied {got} messages, expected {n}"
        );
        mbsync_rss_kib = run.max_rss_kib;
        m.push(run.wall.as_secs_f64());
        eprintln!(
            "bodies run {}: raw {:.3} s, Tern {:.3} s, mbsync {:.3} s",
            i + 1,
            p.fetch.as_secs_f64(),
            took.as_secs_f64(),
            run.wall.as_secs_f64()
        );
    }
    let kept = kept.context("no runs")?;
    kept.1.store().checkpoint()?;
    let db = kept.0.path().join(tern_engine::CACHE_FILE);
    let wal = kept
        .0
        .path()
        .join(format!("{}-wal", tern_engine::CACHE_FILE));
    let cache_bytes = crate::sys::file_size(&db) + crate::sys::file_size(&wal);
    mb.reset()?;
    Ok((
        Bodies {
            raw: Figure::new("raw UID FETCH 1:* BODY.PEEK[]", "s", r),
            tern: Figure::new("full-body sync, 10k folder", "s", t),
            mbsync: Figure::new("mbsync initial sync to a maildir", "s", m),
            raw_bytes,
            cache_bytes,
            background: Figure::new(
                "full-body sync: background work after it (threads, decoding, search index)",
                "s",
                bg,
            ),
            mbsync_rss_kib,
        },
        kept,
    ))
}
