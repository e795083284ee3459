//! Tern's side: an initial header sync into a fresh profile, a no-change resync, and one
//! run of the `tern` CLI as a child process for wall time and peak RSS.

use crate::mbsync::parse_time_v;
use crate::sys;
use anyhow::{bail, ensure, Context, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tern_engine::{Engine, EngineOptions, Event, CACHE_FILE};
use tern_testsupport::Testbed;

/// One initial sync plus the no-change resync on the same profile.
#[derive(Debug)]
pub struct Run {
    pub initial: Duration,
    /// From calling sync to the first batch being committed (the newest messages visible).
    pub first_batch: Option<Duration>,
    /// From calling sync to the last batch being committed.
    pub last_batch: Option<Duration>,
    pub batches: usize,
    /// CPU of the async threads (main + runtime workers: network, TLS, IMAP parsing).
    pub cpu_async: Duration,
    /// CPU of the blocking pool (SQLite inserts, the password lookup).
    pub cpu_blocking: Duration,
    pub resync: Duration,
    pub resync_report: tern_engine::SyncReport,
    /// Whether the resync's STATUS check can skip INBOX, and what STATUS costs.
    pub probe: crate::phases::StatusProbe,
    /// tern.sqlite3 and tern.sqlite3-wal after the resync, engine still open.
    pub cache_bytes: u64,
    pub wal_bytes: u64,
}

/// A synced profile kept open for the measurements that need a 100k cache.
pub struct Synced {
    pub profile: tempfile::TempDir,
    pub engine: Engine,
    pub account: i64,
}

/// Engine options of the in-process runs: headers only, no body prefetch.
pub fn options() -> EngineOptions {
    let mut o = EngineOptions::default();
    o.sync.prefetch_newest = 0;
    o
}

/// Checks the cached INBOX holds exactly the server's UIDs.
pub fn verify(engine: &Engine, account: i64, server_uids: &[u32]) -> Result<()> {
    let folder = engine
        .store()
        .find_folder(account, "INBOX")
        .context("the cache has no INBOX")?;
    let cached = engine
        .store()
        .uids(folder.id)
        .context("reading cached UIDs")?;
    if cached.len() != server_uids.len() || cached != server_uids {
        bail!(
            "VERIFY FAILED: the cache holds {} UIDs ({}..{}), the server {} ({}..{})",
            cached.len(),
            cached.first().copied().unwrap_or(0),
            cached.last().copied().unwrap_or(0),
            server_uids.len(),
            server_uids.first().copied().unwrap_or(0),
            server_uids.last().copied().unwrap_or(0)
        );
    }
    Ok(())
}

/// A fresh profile: open, add alice over implicit TLS, time the first sync, verify, time a
/// second sync.
pub async fn run(
    tb: &Testbed,
    target: &crate::raw::Target,
    server_uids: &[u32],
    async_threads: &HashSet<u32>,
) -> Result<(Run, Synced)> {
    let profile = tempfile::tempdir().context("profile dir")?;
    let engine =
        Engine::open(profile.path(), tb.credentials(), options()).context("Engine::open")?;
    let id = engine
        .add_account(&tb.account("alice"))
        .context("add_account")?;

    // Commit times of header batches, from the engine's events.
    let marks: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let mut events = engine.events();
    let sink = marks.clone();
    let collector = tokio::spawn(async move {
        while let Some(e) = events.recv().await {
            if let Event::MessagesAdded { .. } = e {
                sink.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(Instant::now());
            }
        }
    });

    let cpu_before = sys::thread_cpu();
    let t0 = Instant::now();
    let report = engine.sync(id).await.context("Tern initial sync")?;
    let initial = t0.elapsed();
    let cpu_after = sys::thread_cpu();
    tokio::time::sleep(Duration::from_millis(20)).await;
    collector.abort();
    let marks = marks.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let (cpu_async, cpu_blocking) = sys::cpu_split(&cpu_before, &cpu_after, async_threads);

    ensure!(
        report.added as usize == server_uids.len(),
        "VERIFY FAILED: the sync reported {} added, the server has {}",
        report.added,
        server_uids.len()
    );
    verify(&engine, id, server_uids)?;

    let start = Instant::now();
    let resync_report = engine.sync(id).await.context("Tern no-change resync")?;
    let resync = start.elapsed();
    verify(&engine, id, server_uids)?;
    let probe = crate::phases::status_probe(tb, target, &engine, id).await?;

    // Sizes at rest: what the WAL held is copied into the database first.
    engine.store().checkpoint()?;
    let db = profile.path().join(CACHE_FILE);
    let wal = profile.path().join(format!("{CACHE_FILE}-wal"));
    let run = Run {
        initial,
        first_batch: marks.first().map(|t| t.duration_since(t0)),
        last_batch: marks.last().map(|t| t.duration_since(t0)),
        batches: marks.len(),
        cpu_async,
        cpu_blocking,
        resync,
        resync_report,
        probe,
        cache_bytes: sys::file_size(&db),
        wal_bytes: sys::file_size(&wal),
    };
    Ok((
        run,
        Synced {
            profile,
            engine,
            account: id,
        },
    ))
}

/// The CLI binary the bench drives, built (or found up to date) with
/// `cargo build --release -p tern-cli` first, so it never runs an engine older than the
/// bench's own. Set TERN_BENCH_NO_BUILD to use the binary as it is.
pub fn cli_binary() -> Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| tern_testsupport::repo_root().join("target"));
    let bin = target.join("release/tern");
    if std::env::var_os("TERN_BENCH_NO_BUILD").is_none() || !bin.exists() {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "-p", "tern-cli", "-p", "tern-seed"])
            .current_dir(tern_testsupport::repo_root())
            .status()
            .context("running cargo build -p tern-cli")?;
        ensure!(status.success(), "cargo build --release -p tern-cli failed");
    }
    Ok(bin)
}

/// One `tern sync` as a child process.
#[derive(Debug)]
pub struct CliRun {
    pub wall: Duration,
    pub max_rss_kib: u64,
    /// How the peak RSS was measured.
    pub rss_source: &'static str,
    pub cache_bytes: u64,
}

fn run_checked(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd.output().with_context(|| format!("running {what}"))?;
    ensure!(
        out.status.success(),
        "{what} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// `tern account add` then a timed `tern sync` (headers plus the CLI's default prefetch of
/// the 50 newest bodies), under /usr/bin/time -v when present, for `user`'s account; `sync_args` follow `sync` (e.g. `--bodies`), and `check` verifies the
/// cache the CLI left.
pub fn cli_run(
    bin: &Path,
    tb: &Testbed,
    user: &str,
    sync_args: &[&str],
    check: &dyn Fn(&Engine, i64) -> Result<()>,
) -> Result<CliRun> {
    let profile = tempfile::tempdir().context("CLI profile dir")?;
    let dir = profile.path();
    run_checked(
        Command::new(bin)
            .arg("--data-dir")
            .arg(dir)
            .args(["account", "add", "--email", &tb.address(user)])
            .args([
                "--imap-host",
                &tb.host,
                "--imap-port",
                &tb.imaps_port.to_string(),
            ])
            .args(["--imap-security", "tls", "--username", user, "--ca-file"])
            .arg(&tb.ca_file)
            .arg("--password-command")
            .arg(format!("echo '{}'", tb.password(user)))
            .stdin(Stdio::null()),
        "tern account add",
    )?;
    let time_bin = Path::new("/usr/bin/time");
    let rss_file = dir.join("time-v.txt");
    let mut cmd = if time_bin.exists() {
        let mut c = Command::new(time_bin);
        c.arg("-v").arg("-o").arg(&rss_file).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.arg("--data-dir")
        .arg(dir)
        .arg("sync")
        .args(sync_args)
        .stdin(Stdio::null());
    let start = Instant::now();
    run_checked(&mut cmd, "tern sync")?;
    let wall = start.elapsed();
    let (max_rss_kib, rss_source) = match std::fs::read_to_string(&rss_file) {
        Ok(text) => (
            parse_time_v(&text).context("no max RSS in /usr/bin/time -v output")?,
            "/usr/bin/time -v",
        ),
        Err(_) => (
            sys::children_max_rss_kib(),
            "getrusage(RUSAGE_CHILDREN), an upper bound",
        ),
    };
    let cache_bytes = sys::file_size(&dir.join(CACHE_FILE))
        + sys::file_size(&dir.join(format!("{CACHE_FILE}-wal")));

    let engine =
        Engine::open(dir, tb.credentials(), options()).context("opening the CLI profile")?;
    let account = engine
        .accounts()?
        .first()
        .map(|a| a.id)
        .context("the CLI profile has no account")?;
    check(&engine, account).context("checking the CLI's cache")?;
    Ok(CliRun {
        wall,
        max_rss_kib,
        rss_source,
        cache_bytes,
    })
}
