//! `insert_probe`: the cost of the cache's insert path alone. Seeds N messages, fetches
//! their headers once, then times `Store::insert_headers` (chunks of 5000, as sync sends
//! them) into fresh caches, seven times, in CPU time of the inserting thread so other load
//! on the machine disturbs it less than wall time.
//!
//! Usage: `cargo run --release -p tern-bench --example insert_probe -- [N]` (default 10000).

use anyhow::{Context, Result};
use tern_engine::folder::Listed;
use tern_engine::imap::ops::Conn;
use tern_engine::store::Store;
use tern_engine::{Account, EngineOptions, Role};
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

fn main() -> Result<()> {
    let n: u32 = match std::env::args().nth(1) {
        Some(s) => s.parse().context("N must be a number")?,
        None => 10_000,
    };
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", n);
    let rt = tokio::runtime::Runtime::new()?;
    let chunks = rt.block_on(async {
        let account = Account {
            id: 1,
            config: tb.account("alice"),
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
    let mut ms = Vec::new();
    for _ in 0..7 {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("cache.sqlite3"))?;
        let account = store.add_account(&tb.account("alice"))?;
        let inbox = Listed {
            name: "INBOX".into(),
            delimiter: "/".into(),
            role: Role::Inbox,
            subscribed: true,
            selectable: true,
        };
        store.replace_folders(account, &[inbox])?;
        let folder = store.find_folder(account, "INBOX")?.id;
        let start = thread_cpu_ms();
        for headers in &chunks {
            store.insert_headers(folder, headers)?;
        }
        ms.push(thread_cpu_ms() - start);
    }
    ms.sort_by(f64::total_cmp);
    let shown: Vec<String> = ms.iter().map(|m| format!("{m:.0}")).collect();
    println!(
        "Store::insert_headers, {n} messages: median {:.0} ms CPU (runs: {})",
        ms[ms.len() / 2],
        shown.join(", ")
    );
    Ok(())
}
