//! `insert_probe`: the cost of the cache's insert path alone. Seeds N messages, fetches
//! their headers once, then times `Store::insert_headers` (chunks of 5000, as sync sends
//! them) into fresh caches, seven times, in CPU time of the inserting thread so other load
//! on the machine disturbs it less than wall time. Bulk inserts are threaded after the
//! insert (store/threading.rs): that is timed too, on its own, with the store's background
//! thread held off meanwhile. Then it prints the size of the last cache.
//!
//! Usage: `cargo run --release -p tern-bench --example insert_probe -- [N] [--headers FILE]`
//! (default 10000). With `--headers`, the fetched headers are kept in FILE and read from it
//! on later runs, so comparing two builds needs no testbed and sees the same input.

use anyhow::{Context, Result};
use tern_engine::folder::Listed;
use tern_engine::imap::ops::Conn;
use tern_engine::message::Header;
use tern_engine::store::Store;
use tern_engine::{Account, AccountConfig, EngineOptions, Role};
use tern_testsupport::Testbed;

/// CPU time of the calling thread, in milliseconds.
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given and nothing else.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}

/// The account and its INBOX headers in sync's chunks.
type Input = (AccountConfig, Vec<Vec<Header>>);

/// Seeds a testbed with `n` messages and fetches their headers.
fn fetch(n: u32) -> Result<Input> {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", n);
    let rt = tokio::runtime::Runtime::new()?;
    let config = tb.account("alice");
    let chunks = rt.block_on(async {
        let account = Account {
            id: 1,
            config: config.clone(),
        };
        let timeouts = EngineOptions::default().timeouts;
        let mut conn = Conn::open(&account, &tb.password("alice"), timeouts).await?;
        conn.select("INBOX").await?;
        let uids = conn.uids_from(1).await?;
        let mut all = Vec::new();
        for c in uids.chunks(5000) {
            all.push(conn.fetch_headers(c).await?);
        }
        anyhow::Ok(all)
    })?;
    Ok((config, chunks))
}

fn main() -> Result<()> {
    let mut n: u32 = 10_000;
    let mut saved: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--headers" {
            saved = Some(args.next().context("--headers needs a file")?.into());
        } else {
            n = a.parse().context("N must be a number")?;
        }
    }
    let (config, chunks): Input = match &saved {
        Some(p) if p.exists() => serde_json::from_slice(&std::fs::read(p)?)
            .with_context(|| format!("reading {}", p.display()))?,
        _ => {
            let input = fetch(n)?;
            if let Some(p) = &saved {
                std::fs::write(p, serde_json::to_vec(&input)?)?;
            }
            input
        }
    };
    let n: usize = chunks.iter().map(Vec::len).sum();
    let mut ms = Vec::new();
    let mut later = Vec::new();
    let mut sizes = String::new();
    for run in 0..7 {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("cache.sqlite3");
        let store = Store::open(&path)?;
        let account = store.add_account(&config)?;
        let inbox = Listed {
            name: "INBOX".into(),
            delimiter: "/".into(),
            role: Role::Inbox,
            subscribed: true,
            selectable: true,
        };
        store.replace_folders(account, &[inbox])?;
        let folder = store.find_folder(account, "INBOX")?.id;
        let pause = store.pause_background();
        let start = thread_cpu_ms();
        for headers in &chunks {
            store.insert_headers(folder, headers)?;
        }
        ms.push(thread_cpu_ms() - start);
        if run == 6 {
            sizes = space(&store, &path, "headers")?;
        }
        let start = thread_cpu_ms();
        store.catch_up_threads()?;
        later.push(thread_cpu_ms() - start);
        if run == 6 {
            sizes += &space(&store, &path, "threaded")?;
            store.catch_up_search_index()?;
            sizes += &space(&store, &path, "with the search index")?;
        }
        drop(pause);
    }
    println!("Store::insert_headers, {n} messages: {}", summary(&mut ms));
    println!(
        "threading them afterwards (Store::catch_up_threads): {}",
        summary(&mut later)
    );
    print!("{sizes}");
    Ok(())
}

/// "median M ms CPU (runs: ...)".
fn summary(ms: &mut [f64]) -> String {
    ms.sort_by(f64::total_cmp);
    let shown: Vec<String> = ms.iter().map(|m| format!("{m:.0}")).collect();
    format!(
        "median {:.0} ms CPU (runs: {})",
        ms[ms.len() / 2],
        shown.join(", ")
    )
}

/// The cache file's size with the WAL checkpointed into it, and its largest tables and
/// indexes.
fn space(store: &Store, path: &std::path::Path, what: &str) -> Result<String> {
    let mib = |b: i64| b as f64 / (1 << 20) as f64;
    let parts: Vec<(String, i64)> = store.write(|c| {
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        let mut s = c.prepare(
            "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8",
        )?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect();
        rows
    })?;
    let size = std::fs::metadata(path)?.len() as i64;
    let mut out = format!("cache, {what}: {:.1} MiB\n", mib(size));
    for (name, bytes) in parts {
        out += &format!("  {name}: {:.1} MiB\n", mib(bytes));
    }
    Ok(out)
}
