//! A diagnostic breakdown of Tern's initial sync, run step by step through the engine's
//! public IMAP and cache API with nothing overlapped: where the time goes, not how fast it is.

use crate::raw;
use anyhow::{ensure, Context, Result};
use std::time::{Duration, Instant};
use tern_engine::imap::fetch::header_items;
use tern_engine::imap::ops::{Conn, Span};
use tern_engine::store::Store;
use tern_engine::sync::first_sync_ranges;
use tern_engine::{Account, EngineOptions, CACHE_FILE};
use tern_testsupport::Testbed;

/// Seconds spent in each step.
#[derive(Debug, Default)]
pub struct Phases {
    /// Conn::open (TCP, TLS, LOGIN, capabilities, ENABLE QRESYNC) + SELECT INBOX, all a
    /// first sync sends before its first FETCH.
    pub setup: Duration,
    /// The raw client sending the same FETCHes by sequence number (server + TLS + reading,
    /// no parsing).
    pub raw_chunked: Duration,
    /// Conn::fetch_header_rows over the same chunks (adds async-imap and header parsing).
    pub fetch_headers: Duration,
    /// Store::insert_headers of every chunk, one transaction each.
    pub insert: Duration,
}

pub async fn measure(tb: &Testbed, target: &raw::Target, n: usize) -> Result<Phases> {
    let opts = EngineOptions::default();
    let account = Account {
        id: 0,
        config: tb.account("alice"),
    };
    let mut p = Phases::default();

    let t = Instant::now();
    let mut conn = Conn::open(&account, &tb.password("alice"), opts.timeouts)
        .await
        .context("phases: Conn::open")?;
    let exists = conn.select("INBOX").await.context("phases: SELECT")?.exists;
    p.setup = t.elapsed();
    ensure!(
        exists as usize == n,
        "phases: {exists} messages, expected {n}"
    );
    // Tern's own plan for a first sync (sync.rs).
    let plan = first_sync_ranges(&opts.sync, exists);

    let items = header_items(conn.condstore());
    let mut rawc = raw::Raw::open(target, "INBOX").await?;
    let t = Instant::now();
    for (lo, hi) in &plan {
        rawc.run_a(&format!("FETCH {lo}:{hi} {items}"), false)
            .await
            .context("phases: raw chunked FETCH")?;
    }
    p.raw_chunked = t.elapsed();
    rawc.logout().await;

    let t = Instant::now();
    let mut batches = Vec::with_capacity(plan.len());
    for (lo, hi) in &plan {
        batches.push(
            conn.fetch_header_rows(&Span::Seq(*lo, *hi))
                .await
                .context("phases: fetch_header_rows")?,
        );
    }
    p.fetch_headers = t.elapsed();
    conn.logout().await;
    let fetched: usize = batches.iter().map(Vec::len).sum();
    ensure!(
        fetched == n,
        "phases: fetched {fetched} headers, expected {n}"
    );

    let profile = tempfile::tempdir().context("phases profile")?;
    let t = tokio::task::spawn_blocking(move || -> Result<Duration> {
        let store = Store::open(&profile.path().join(CACHE_FILE))?;
        let id = store.add_account(&account.config)?;
        let folder = store.add_inbox(id)?;
        let t = Instant::now();
        for b in &batches {
            store.insert_headers(folder.id, b)?;
        }
        Ok(t.elapsed())
    })
    .await
    .context("phases: insert task")??;
    p.insert = t;
    Ok(p)
}

/// What the no-change resync's cheap check sees for INBOX: whether cached state and STATUS
/// agree (else the resync SELECTs and scans), and what Dovecot's STATUS costs before and
/// after a LIST on the same connection (Tern's resync sends LIST first).
#[derive(Debug)]
pub struct StatusProbe {
    pub short_circuit: bool,
    pub detail: String,
    pub status_fresh: Duration,
    pub status_after_list: Duration,
}

const STATUS_INBOX: &str = "STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)";

pub async fn status_probe(
    tb: &Testbed,
    target: &raw::Target,
    engine: &tern_engine::Engine,
    account: i64,
) -> Result<StatusProbe> {
    let acct = engine.account(account)?;
    let mut conn = Conn::open(
        &acct,
        &tb.password("alice"),
        EngineOptions::default().timeouts,
    )
    .await
    .context("probe: Conn::open")?;
    let st = conn.status("INBOX").await.context("probe: STATUS")?;
    let condstore = conn.condstore();
    conn.logout().await;
    let folder = engine.store().find_folder(account, "INBOX")?;
    let cached = engine.store().sync_state(folder.id)?;
    // The same test as the engine's Syncer::unchanged.
    let short_circuit = cached.uidvalidity != 0
        && cached.uidvalidity == st.uidvalidity
        && cached.uidnext == st.uidnext
        && condstore
        && st.highestmodseq != 0
        && st.highestmodseq == cached.highestmodseq
        && folder.total == st.exists;

    let mut r = raw::Raw::connect(target).await?;
    r.command(
        &format!("LOGIN \"{}\" \"{}\"", target.user, target.password),
        false,
    )
    .await?;
    let t = Instant::now();
    r.command(STATUS_INBOX, false).await?;
    let status_fresh = t.elapsed();
    r.command("LIST \"\" \"*\"", false).await?;
    let t = Instant::now();
    r.command(STATUS_INBOX, false).await?;
    let status_after_list = t.elapsed();
    r.logout().await;
    Ok(StatusProbe {
        short_circuit,
        detail: format!(
            "cached uidvalidity {} uidnext {} modseq {} total {}; STATUS {} {} {} exists {}; condstore {condstore}",
            cached.uidvalidity, cached.uidnext, cached.highestmodseq, folder.total,
            st.uidvalidity, st.uidnext, st.highestmodseq, st.exists
        ),
        status_fresh,
        status_after_list,
    })
}
