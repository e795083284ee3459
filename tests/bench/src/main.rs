//! `tern-bench`: seeds a Dovecot testbed INBOX with N messages and compares Tern's initial
//! header sync with a raw `UID FETCH 1:*` over the same TLS port, plus the no-change resync,
//! the CLI's wall time and peak RSS, and the cache size on disk.
//!
//! Usage: `cargo run --release -p tern-bench -- [--messages N] [--runs R] [--quick] [--json FILE]`.
//! It drives `target/release/tern` for the peak-RSS figure; build it first with
//! `cargo build --release -p tern-cli` (the bench builds it itself only when it is missing).

mod phases;
mod raw;
mod report;
mod sys;
mod tern;

use anyhow::{bail, Context, Result};
use report::{Figure, Ratio, Report};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tern_testsupport::Testbed;

const HELP: &str = "tern-bench [--messages N] [--runs R] [--quick] [--json FILE]
  --messages N  messages seeded into alice's INBOX (default 100000; 10000 with --quick)
  --runs R      timed runs of each measurement, alternating (default 3)
  --quick       10000 messages unless --messages is given
  --json FILE   where to write the results (default target/bench/sync.json)
Needs target/release/tern (cargo build --release -p tern-cli); builds it when missing.";

struct Args {
    messages: u32,
    runs: u32,
    json: PathBuf,
}

fn parse_args() -> Result<Args> {
    let mut messages = None;
    let mut runs = 3;
    let mut quick = false;
    let mut json = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            "--messages" => messages = Some(value("--messages")?.parse().context("--messages")?),
            "--runs" => runs = value("--runs")?.parse().context("--runs")?,
            "--quick" => quick = true,
            "--json" => json = Some(PathBuf::from(value("--json")?)),
            "-h" | "--help" => {
                println!("{HELP}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{HELP}"),
        }
    }
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| tern_testsupport::repo_root().join("target"));
    Ok(Args {
        messages: messages.unwrap_or(if quick { 10_000 } else { 100_000 }),
        runs,
        json: json.unwrap_or_else(|| target.join("bench/sync.json")),
    })
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tern-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn run() -> Result<()> {
    let args = parse_args()?;
    let cli = tern::cli_binary()?;
    let machine = sys::machine();
    println!(
        "tern-bench: {} messages, {} runs; machine: {} x {}; CLI {}",
        args.messages,
        args.runs,
        machine.nproc,
        machine.cpu_model,
        cli.display()
    );

    // Fatal setup: Testbed panics (and cleans up on unwind) if Dovecot cannot start.
    let tb = Testbed::start();
    println!("testbed up on 127.0.0.1:{} (implicit TLS)", tb.imaps_port);
    let t = Instant::now();
    tb.seed("alice", "INBOX", args.messages);
    let seeding = t.elapsed();
    println!(
        "seeded {} messages in {:.1} s",
        args.messages,
        secs(seeding)
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the Tokio runtime")?;
    // Threads alive now are main + the runtime's workers; blocking-pool threads come later.
    let async_threads: HashSet<u32> = sys::thread_cpu().into_keys().collect();
    let mut report = rt.block_on(bench(&tb, &args, &cli, &async_threads, machine))?;
    report.seeding_s = secs(seeding);
    report.print();
    report.write_json(&args.json)?;
    println!("\nwrote {}", args.json.display());
    Ok(())
}

async fn bench(
    tb: &Testbed,
    args: &Args,
    cli: &std::path::Path,
    async_threads: &HashSet<u32>,
    machine: sys::Machine,
) -> Result<Report> {
    let target = raw::Target {
        port: tb.imaps_port,
        ca_file: tb.ca_file.clone(),
        user: "alice".into(),
        password: tb.password("alice"),
    };
    let tern_items = tern_engine::imap::fetch::header_items(true);
    let n = args.messages as usize;

    // Priming, untimed in the table: first SELECT, then one pass of each item set.
    println!("priming Dovecot (first SELECT, one FETCH pass of each item set; not in the table)");
    let mut priming = Vec::new();
    let t = Instant::now();
    let mut conn = raw::Raw::open(&target, "INBOX").await.context("priming")?;
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

    let mut raw_env = Vec::new();
    let mut raw_tern = Vec::new();
    let mut raw_setup = Vec::new();
    let mut runs = Vec::new();
    let mut phases = Vec::new();
    let mut raw_bytes = (0, 0);
    for i in 0..args.runs {
        let p = raw::fetch_pass(&target, raw::ENVELOPE_ITEMS).await?;
        if p.fetched as usize != n {
            bail!(
                "raw FETCH returned {} FETCH responses, expected {n}",
                p.fetched
            );
        }
        raw_bytes.0 = p.bytes;
        raw_setup.push(secs(p.setup));
        raw_env.push(secs(p.fetch));
        let q = raw::fetch_pass(&target, &tern_items).await?;
        if q.fetched as usize != n {
            bail!(
                "raw FETCH (Tern's items) returned {} FETCH responses, expected {n}",
                q.fetched
            );
        }
        raw_bytes.1 = q.bytes;
        raw_tern.push(secs(q.fetch));
        let r = tern::run(tb, &target, &server_uids, async_threads).await?;
        eprintln!(
            "run {}: raw {:.3} s, raw/Tern items {:.3} s, Tern {:.3} s (first batch {:.3} s, last {:.3} s, {} batches; CPU async {:.2} s, blocking {:.2} s), resync {:.1} ms {:?}",
            i + 1,
            secs(p.fetch),
            secs(q.fetch),
            secs(r.initial),
            r.first_batch.map_or(f64::NAN, secs),
            r.last_batch.map_or(f64::NAN, secs),
            r.batches,
            secs(r.cpu_async),
            secs(r.cpu_blocking),
            secs(r.resync) * 1000.0,
            r.resync_report
        );
        eprintln!("run {}: resync probe {:?}", i + 1, r.probe);
        runs.push(r);
        let ph = phases::measure(tb, &target, n).await?;
        eprintln!("run {}: phases {ph:?}", i + 1);
        phases.push(ph);
    }

    println!(
        "one CLI run: {} sync (under /usr/bin/time -v)",
        cli.display()
    );
    let c = tern::cli_run(cli, tb, &server_uids)?;
    let maildir = tb.dir.join("home/alice/Maildir");
    let (md_bytes, md_alloc, md_files) = sys::tree_size(&maildir)?;

    let per = |v: f64| v * 100_000.0 / n as f64;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let last = runs.last().context("no runs")?;
    let f_raw = Figure::new("raw UID FETCH 1:* ENVELOPE, TLS", "s", raw_env);
    let f_tern = Figure::new(
        "Tern initial header sync",
        "s",
        runs.iter().map(|r| secs(r.initial)).collect(),
    );
    let f_raw_t = Figure::new("raw UID FETCH 1:* with Tern's items", "s", raw_tern);
    let ratios = vec![
        Ratio::of("ratio Tern initial / raw ENVELOPE", &f_tern, &f_raw),
        Ratio::of("ratio Tern initial / raw Tern's items", &f_tern, &f_raw_t),
    ];
    let mut notes = vec![
        "raw = from sending the FETCH to the tagged OK, one connection already logged in and SELECTed (that setup is its own row); Tern = the whole Engine::sync: connect, TLS, LOGIN, LIST, STATUS/SELECT of every folder, UID SEARCH, FETCH in chunks newest first, SQLite inserts".into(),
        format!("Tern fetches `{tern_items}`, not ENVELOPE; the second raw row sends exactly that"),
        format!("raw reply sizes: {:.1} MiB (ENVELOPE), {:.1} MiB (Tern's items)", mib(raw_bytes.0), mib(raw_bytes.1)),
        "the CLI run also prefetches the 50 newest bodies (its default; the in-process runs set prefetch_newest = 0)".into(),
        format!("peak RSS of the CLI measured with {}", c.rss_source),
        format!("load average at start {}, at end {} (1/5/15 min)", machine.loadavg_at_start, sys::loadavg()),
        "phase rows: the same steps run one after another through the engine's public API (no overlap of fetch and insert), a diagnostic of where the time goes".into(),
    ];
    if let Some(r) = runs.iter().find(|r| !r.probe.short_circuit) {
        notes.push(format!(
            "the resync's STATUS check does NOT skip INBOX: {}",
            r.probe.detail
        ));
    } else {
        notes.push("the resync's STATUS check skips INBOX (cached state equals STATUS) in every run; Tern's resync sends LIST before STATUS, and Dovecot's STATUS INBOX after a LIST on the same connection is the row above".into());
    }
    let ratio = ratios[0].median;
    if ratio > 1.5 {
        let cpu: f64 = runs
            .iter()
            .map(|r| secs(r.cpu_async + r.cpu_blocking))
            .sum::<f64>()
            / runs.len() as f64;
        notes.push(format!(
            "Tern is {ratio:.2}x the raw ENVELOPE fetch (> 1.5x); client CPU per initial sync {cpu:.2} s (async {:.2} s, blocking/SQLite {:.2} s) for {:.2} s wall",
            runs.iter().map(|r| secs(r.cpu_async)).sum::<f64>() / runs.len() as f64,
            runs.iter().map(|r| secs(r.cpu_blocking)).sum::<f64>() / runs.len() as f64,
            f_tern.median
        ));
    }
    let of = |name: &str, unit: &str, f: &dyn Fn(&tern::Run) -> f64| {
        Figure::new(name, unit, runs.iter().map(f).collect())
    };
    let ph = |name: &str, f: &dyn Fn(&phases::Phases) -> Duration| {
        Figure::new(name, "s", phases.iter().map(|p| secs(f(p))).collect())
    };
    let figures = vec![
        f_raw,
        f_raw_t,
        Figure::new("raw connect + TLS + LOGIN + SELECT", "s", raw_setup),
        f_tern,
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
        of("Tern no-change resync", "ms", &|r| secs(r.resync) * 1000.0),
        of("Dovecot STATUS INBOX, fresh connection", "ms", &|r| {
            secs(r.probe.status_fresh) * 1000.0
        }),
        of("Dovecot STATUS INBOX after a LIST", "ms", &|r| {
            secs(r.probe.status_after_list) * 1000.0
        }),
        ph("phase: Conn::open+LIST+SELECT+SEARCH", &|p| p.setup),
        ph("phase: raw FETCH, Tern's chunks+items", &|p| p.raw_chunked),
        ph("phase: Conn::fetch_headers, same chunks", &|p| {
            p.fetch_headers
        }),
        ph("phase: Store::insert_headers, all chunks", &|p| p.insert),
    ];
    let single = vec![
        (
            "CLI `tern sync` wall, incl. 50 bodies (s)".to_string(),
            secs(c.wall),
        ),
        (
            "CLI `tern sync` peak RSS (MiB)".to_string(),
            c.max_rss_kib as f64 / 1024.0,
        ),
        (
            "bench process peak RSS, for reference (MiB)".to_string(),
            sys::self_peak_rss_kib() as f64 / 1024.0,
        ),
        (
            "cache sqlite3 + wal per 100k msgs (MiB)".to_string(),
            per(mib(last.cache_bytes + last.wal_bytes)),
        ),
        (
            "  of which -wal (MiB, per 100k)".to_string(),
            per(mib(last.wal_bytes)),
        ),
        (
            "CLI cache sqlite3 + wal per 100k msgs (MiB)".to_string(),
            per(mib(c.cache_bytes)),
        ),
        ("maildir apparent size (MiB)".to_string(), mib(md_bytes)),
        ("maildir on disk, du (MiB)".to_string(), mib(md_alloc)),
        (
            "maildir files (mail + Dovecot index)".to_string(),
            md_files as f64,
        ),
    ];
    Ok(Report {
        machine,
        messages: args.messages,
        runs: args.runs,
        seeding_s: 0.0,
        priming,
        figures,
        ratios,
        single,
        notes,
    })
}
