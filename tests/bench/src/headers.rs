//! Initial header sync of the big INBOX: Tern's `Engine::sync` into a fresh profile against a
//! raw `UID FETCH 1:*` on a TLS socket, alternating run by run, plus a step-by-step breakdown.

use crate::report::Figure;
use crate::tern::{Run, Synced};
use crate::{phases, raw, tern};
use anyhow::{bail, Context, Result};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tern_testsupport::Testbed;

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// What the header runs found.
pub struct Headers {
    pub raw_envelope: Figure,
    pub raw_tern_items: Figure,
    pub tern: Figure,
    pub priming: Vec<(String, f64)>,
    pub diagnostics: Vec<Figure>,
    pub notes: Vec<String>,
    pub runs: Vec<Run>,
    /// The server's INBOX UIDs, sorted.
    pub server_uids: Vec<u32>,
    /// The last run's synced profile, kept for the measurements that need a full cache.
    pub synced: Synced,
}

/// Primes Dovecot, then alternates raw and Tern `runs` times.
pub async fn measure(
    name: &str,
    tb: &Testbed,
    target: &raw::Target,
    n: usize,
    runs: u32,
    async_threads: &HashSet<u32>,
) -> Result<Headers> {
    let tern_items = tern_engine::imap::fetch::header_items(true);
    println!("priming Dovecot (first SELECT, one FETCH pass of each item set; not in the table)");
    let mut priming = Vec::new();
    let t = Instant::now();
    let mut conn = raw::Raw::open(target, "INBOX").await.context("priming")?;
    priming.push((
        "connect + LOGIN + first SELECT".to_string(),
        secs(t.elapsed()),
    ));
    let server_uids = conn.uids().await.context("UID SEARCH ALL")?;
    if server_uids.len() != n {
        bail!(
            "the server has {} messages in INBOX, expected {n}",
            server_uids.len()
        );
    }
    for (label, items) in [
        ("ENVELOPE", raw::ENVELOPE_ITEMS),
        ("Tern's items", &tern_items),
    ] {
        let t = Instant::now();
        let out = conn.run_a(&format!("UID FETCH 1:* {items}"), false).await?;
        priming.push((
            format!("first FETCH 1:* ({label}), cold"),
            secs(t.elapsed()),
        ));
        if out.fetches as usize != n {
            bail!(
                "priming FETCH ({label}) returned {} FETCH responses, expected {n}",
                out.fetches
            );
        }
    }
    conn.logout().await;

    let (mut raw_env, mut raw_tern, mut raw_setup) = (Vec::new(), Vec::new(), Vec::new());
    let mut all = Vec::new();
    let mut phases = Vec::new();
    let mut raw_bytes = (0, 0);
    let mut synced = None;
    for i in 0..runs {
        tokio::task::block_in_place(crate::sys::settle);
        let p = raw::fetch_pass(target, "INBOX", raw::ENVELOPE_ITEMS).await?;
        let q = raw::fetch_pass(target, "INBOX", &tern_items).await?;
        for (what, got) in [("ENVELOPE", p.fetched), ("Tern's items", q.fetched)] {
            if got as usize != n {
                bail!("raw FETCH ({what}) returned {got} FETCH responses, expected {n}");
            }
        }
        raw_bytes = (p.bytes, q.bytes);
        raw_setup.push(secs(p.setup));
        raw_env.push(secs(p.fetch));
        raw_tern.push(secs(q.fetch));
        // Drop the previous run's profile before the next one syncs.
        drop(synced.take());
        tokio::task::block_in_place(crate::sys::settle);
        let (r, s) = tern::run(tb, target, &server_uids, async_threads).await?;
        synced = Some(s);
        eprintln!(
            "headers run {}: raw {:.3} s, raw/Tern items {:.3} s, Tern {:.3} s (first batch {:.3} s, {} batches; CPU async {:.2} s, blocking {:.2} s), resync {:.1} ms",
            i + 1,
            secs(p.fetch),
            secs(q.fetch),
            secs(r.initial),
            r.first_batch.map_or(f64::NAN, secs),
            r.batches,
            secs(r.cpu_async),
            secs(r.cpu_blocking),
            secs(r.resync) * 1000.0,
        );
        all.push(r);
        let ph = phases::measure(tb, target, n).await?;
        eprintln!("headers run {}: phases {ph:?}", i + 1);
        phases.push(ph);
    }
    let synced = synced.context("no runs")?;

    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let mut notes = vec![
        "raw = from sending the FETCH to the tagged OK, on a connection already logged in and SELECTed; Tern = the whole Engine::sync of a new account: connect, TLS, LOGIN, SELECT INBOX, FETCH by sequence number in chunks newest first with SQLite inserts overlapping, then LIST and the other (empty) folders; each side runs after the disk has settled (sync(2) and a pause)".into(),
        format!("Tern fetches `{tern_items}`, not ENVELOPE; a second raw row sends exactly that"),
        format!("raw reply sizes: {:.1} MiB (ENVELOPE), {:.1} MiB (Tern's items)", mib(raw_bytes.0), mib(raw_bytes.1)),
    ];
    if let Some(r) = all.iter().find(|r| !r.probe.short_circuit) {
        notes.push(format!(
            "the resync's STATUS check does NOT skip INBOX: {}",
            r.probe.detail
        ));
    }
    let of = |name: &str, unit: &str, f: &dyn Fn(&Run) -> f64| {
        Figure::new(name, unit, all.iter().map(f).collect())
    };
    let ph = |name: &str, f: &dyn Fn(&phases::Phases) -> Duration| {
        Figure::new(name, "s", phases.iter().map(|p| secs(f(p))).collect())
    };
    let diagnostics = vec![
        Figure::new("raw connect + TLS + LOGIN + SELECT", "s", raw_setup),
        of("Tern first MessagesAdded event (newest 500)", "s", &|r| {
            r.first_batch.map_or(f64::NAN, secs)
        }),
        of("Tern last MessagesAdded event", "s", &|r| {
            r.last_batch.map_or(f64::NAN, secs)
        }),
        of("Tern client CPU, async threads", "s", &|r| {
            secs(r.cpu_async)
        }),
        of("Tern client CPU, blocking pool (SQLite)", "s", &|r| {
            secs(r.cpu_blocking)
        }),
        of("Tern resync right after the initial sync", "ms", &|r| {
            secs(r.resync) * 1000.0
        }),
        of("Dovecot STATUS INBOX, fresh connection", "ms", &|r| {
            secs(r.probe.status_fresh) * 1000.0
        }),
        of("Dovecot STATUS INBOX after a LIST", "ms", &|r| {
            secs(r.probe.status_after_list) * 1000.0
        }),
        ph("phase: Conn::open+SELECT INBOX", &|p| p.setup),
        ph("phase: raw FETCH, Tern's chunks+items", &|p| p.raw_chunked),
        ph("phase: Conn::fetch_header_rows, same chunks", &|p| {
            p.fetch_headers
        }),
        ph("phase: Store::insert_headers, all chunks", &|p| p.insert),
    ];
    Ok(Headers {
        raw_envelope: Figure::new("raw UID FETCH 1:* ENVELOPE", "s", raw_env),
        raw_tern_items: Figure::new("raw UID FETCH 1:* with Tern's items", "s", raw_tern),
        tern: of(name, "s", &|r| secs(r.initial)),
        priming,
        diagnostics,
        notes,
        runs: all,
        server_uids,
        synced,
    })
}
