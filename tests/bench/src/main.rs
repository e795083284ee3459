//! `tern-bench`: the whole benchmark of issue 8 in one command. It starts a Dovecot testbed,
//! seeds alice's INBOX (100k) and bob's full-body folder (10k), then measures Tern against
//! references in the same run: raw IMAP over TLS and mbsync. It prints one table of medians
//! and ranges with the reference beside each figure, then every target with its ratio and
//! verdict, and writes the same as JSON.
//!
//! Usage: `cargo run --release -p tern-bench -- [--quick] [--messages N] [--body-messages M]
//! [--runs R] [--samples S] [--json FILE]`. It builds and drives `target/release/tern` for
//! peak RSS. The app's idle memory and cold start are `tests/bench/app-start.mjs`.

use anyhow::{bail, Context, Result};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;
use tern_bench::report::{Figure, Report, Row};
use tern_bench::{bodies, headers, live, mbsync, open, raw, search, sys, targets, tern};
use tern_testsupport::Testbed;

const HELP: &str =
    "tern-bench [--quick] [--messages N] [--body-messages M] [--runs R] [--samples S] [--json FILE]
  --messages N       messages seeded into alice's INBOX (default 100000; 10000 with --quick)
  --body-messages M  full-body messages in bob's folder (default 10000; 2000 with --quick)
  --runs R           timed runs of each sync measurement, alternating with its reference (default 3)
  --samples S        new-mail samples (default 10; 5 with --quick); 200 messages are opened
  --quick            the smaller sizes above: a few minutes
  --json FILE        where to write the results (default target/bench/bench.json)
Builds target/release/tern and tern-seed first (cargo build --release -p tern-cli -p tern-seed),
needs /usr/bin/mbsync
(Debian's isync) and /usr/bin/time (tests/setup.sh installs both).";

struct Args {
    messages: u32,
    body_messages: u32,
    runs: u32,
    samples: u32,
    json: PathBuf,
}

fn parse_args() -> Result<Args> {
    let (mut messages, mut body_messages, mut samples) = (None, None, None);
    let mut runs = 3;
    let mut quick = false;
    let mut json = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            "--messages" => messages = Some(value("--messages")?.parse().context("--messages")?),
            "--body-messages" => {
                body_messages = Some(
                    value("--body-messages")?
                        .parse()
                        .context("--body-messages")?,
                )
            }
            "--runs" => runs = value("--runs")?.parse().context("--runs")?,
            "--samples" => samples = Some(value("--samples")?.parse().context("--samples")?),
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
        body_messages: body_messages.unwrap_or(if quick { 2_000 } else { 10_000 }),
        runs,
        samples: samples.unwrap_or(if quick { 5 } else { 10 }).max(1),
        json: json.unwrap_or_else(|| target.join("bench/bench.json")),
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

/// "100k", "10k", "2,000": sizes as the rows name them.
fn size(n: u32) -> String {
    if n.is_multiple_of(1000) && n >= 10_000 {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

fn run() -> Result<()> {
    let args = parse_args()?;
    let cli = tern::cli_binary()?;
    let mbsync_version = mbsync::version()?;
    let machine = sys::machine();
    println!(
        "tern-bench: {} + {} messages, {} runs; machine: {} x {}, load {}; CLI {}; {mbsync_version}",
        args.messages,
        args.body_messages,
        args.runs,
        machine.nproc,
        machine.cpu_model,
        machine.loadavg_at_start,
        cli.display()
    );
    // Fatal setup: Testbed panics (and cleans up on unwind) if Dovecot cannot start.
    let tb = Testbed::start();
    println!("testbed up on 127.0.0.1:{} (implicit TLS)", tb.imaps_port);
    let t = Instant::now();
    tb.seed("alice", "INBOX", args.messages);
    tb.seed(bodies::USER, bodies::FOLDER, args.body_messages);
    let seeding = t.elapsed().as_secs_f64();
    println!("seeded in {seeding:.1} s");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the Tokio runtime")?;
    // Threads alive now are main + the runtime's workers; blocking-pool threads come later.
    let async_threads: HashSet<u32> = sys::thread_cpu().into_keys().collect();
    let mut report = rt.block_on(bench(&tb, &args, &cli, &async_threads, machine))?;
    report.seeding_s = seeding;
    report.notes.push(mbsync_version);
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
    let n = args.messages as usize;
    let big = size(args.messages);
    let runs = args.runs;
    let mut single = Vec::new();
    let mut notes = Vec::new();
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);

    println!("1/7 initial header sync: raw FETCH vs Tern, {runs} runs");
    let name = format!("initial header sync, {big} INBOX");
    let h = headers::measure(&name, tb, &target, n, runs, async_threads).await?;
    let synced = &h.synced;
    let (engine, account) = (&synced.engine, synced.account);

    println!("2/7 mbsync: initial sync of the {big} INBOX (untimed in the table), then no-change resyncs");
    let mb = mbsync::Mbsync::new(tb, "alice", "INBOX")?;
    let first = tokio::task::block_in_place(|| mb.run())?;
    let got = mb.count("INBOX")?;
    if got != n {
        bail!("VERIFY FAILED: mbsync copied {got} messages, expected {n}");
    }
    single.push((
        format!("mbsync initial sync of the {big} INBOX, full messages (s)"),
        first.wall.as_secs_f64(),
    ));
    let (resync, mb_resync) = live::resync(engine, account, &mb, runs.max(5)).await?;

    println!("3/7 flags changed by another client, then Tern's resync");
    let flags = live::flag_change(engine, account, &target, &h.server_uids, runs.max(4)).await?;

    println!("4/7 CLI `tern sync` under /usr/bin/time -v (peak RSS)");
    let uids = h.server_uids.clone();
    let c = tern::cli_run(cli, tb, "alice", &[], &move |e, a| {
        tern::verify(e, a, &uids)
    })?;

    println!("5/7 local search and opening messages");
    let t = Instant::now();
    engine.store().catch_up_search_index()?;
    single.push((
        "search index catch-up after the header sync (s)".into(),
        t.elapsed().as_secs_f64(),
    ));
    let q = search::queries(engine)?;
    let search_runs = 5;
    let mut searches = Vec::new();
    for (label, queries) in [
        ("search: one word", &q.one),
        ("search: two operators", &q.two_ops),
        ("search: prefix as you type", &q.typed),
    ] {
        let s = search::measure(engine, queries, None, search_runs)?;
        searches.push(Figure::new(&format!("{label}, {big}"), "ms", s.wall));
    }
    let inbox = engine.store().find_folder(account, "INBOX")?;
    let ids = open::spread(engine, inbox.id, inbox.total, 200)?;
    let (open_uncached, open_cached) = open::measure(engine, &ids).await?;

    println!("6/7 new mail through IDLE: the engine's worker vs a bare IDLE client");
    engine.start(account)?;
    // Through the worker: its first sync (replaying the reads above) must be done.
    engine.sync(account).await.context("worker's first sync")?;
    let worker_resync = live::resync_worker(engine, account, runs.max(5)).await?;
    let (new_mail, bare_idle) = live::new_mail(engine, account, &target, args.samples).await?;
    engine.stop(account);

    println!(
        "7/7 full-body sync of bob's {} folder: raw vs Tern vs mbsync",
        size(args.body_messages)
    );
    let bm = args.body_messages as usize;
    let (b, (_bprofile, bengine)) = bodies::measure(tb, bm, runs).await?;
    let baccount = bengine.accounts()?.first().context("no account")?.id;
    let bfolder = bengine.store().find_folder(baccount, bodies::FOLDER)?;
    let bids = open::spread(&bengine, bfolder.id, bfolder.total, 200)?;
    let open_offline = open::measure_cached(&bengine, &bids).await?;
    let cb = tern::cli_run(cli, tb, bodies::USER, &["--bodies"], &move |e, a| {
        let f = e.store().find_folder(a, bodies::FOLDER)?;
        let with_body: i64 = e.store().read(|c| {
            c.query_row(
                "SELECT count(*) FROM bodies b JOIN messages m ON m.id = b.message_id WHERE m.folder_id = ?1",
                [f.id],
                |r| r.get(0),
            )
        })?;
        anyhow::ensure!(
            with_body as usize == bm,
            "VERIFY FAILED: {with_body} bodies cached, expected {bm}"
        );
        Ok(())
    })?;

    // Sizes, at rest.
    engine.store().checkpoint()?;
    let maildir = tb.dir.join("home/alice/Maildir");
    let (md_bytes, md_alloc, _) = sys::tree_size(&maildir)?;
    let (mb_bytes, _, _) = sys::tree_size(&mb.maildir())?;
    let per = |v: f64| v * 100_000.0 / n as f64;
    let last = h.runs.last().context("no runs")?;
    single.extend([
        (
            "CLI `tern sync` wall, incl. 50 bodies (s)".to_string(),
            c.wall.as_secs_f64(),
        ),
        (
            "engine peak RSS: CLI `tern sync`, headers (MiB)".into(),
            c.max_rss_kib as f64 / 1024.0,
        ),
        (
            format!(
                "engine peak RSS: CLI `tern sync --bodies`, {} folder (MiB)",
                size(args.body_messages)
            ),
            cb.max_rss_kib as f64 / 1024.0,
        ),
        (
            format!("mbsync peak RSS: initial sync of the {big} INBOX (MiB)"),
            first.max_rss_kib as f64 / 1024.0,
        ),
        (
            format!(
                "mbsync peak RSS: initial sync of the {} folder (MiB)",
                size(args.body_messages)
            ),
            b.mbsync_rss_kib as f64 / 1024.0,
        ),
        (
            "Tern cache per 100k messages, headers (MiB)".into(),
            per(mib(last.cache_bytes + last.wal_bytes)),
        ),
        (
            "Tern cache per 100k messages after search indexing (MiB)".into(),
            per(mib(sys::file_size(
                &synced.profile.path().join(tern_engine::CACHE_FILE),
            ) + sys::file_size(
                &synced
                    .profile
                    .path()
                    .join(format!("{}-wal", tern_engine::CACHE_FILE)),
            ))),
        ),
        (
            "server maildir per 100k messages, apparent (MiB)".into(),
            per(mib(md_bytes)),
        ),
        ("server maildir on disk, du (MiB)".into(), mib(md_alloc)),
        (
            "mbsync's local maildir per 100k messages (MiB)".into(),
            per(mib(mb_bytes)),
        ),
        (
            format!(
                "Tern cache with all bodies, {} folder (MiB)",
                size(args.body_messages)
            ),
            mib(b.cache_bytes),
        ),
        (
            format!(
                "raw reply with all bodies, {} folder (MiB)",
                size(args.body_messages)
            ),
            mib(b.raw_bytes),
        ),
    ]);
    drop(mb);

    let body_name = format!("full-body sync, {} folder", size(args.body_messages));
    let rows = vec![
        Row::new(h.tern.clone(), Some(h.raw_envelope.clone())),
        Row::new(
            h.tern.clone().named("  (same, vs Tern's own items)"),
            Some(h.raw_tern_items.clone()),
        ),
        Row::new(
            resync
                .clone()
                .named(&format!("no-change resync, {big} INBOX")),
            Some(mb_resync.clone()),
        ),
        Row::new(worker_resync.clone(), None),
        Row::new(flags.clone(), None),
        Row::new(b.tern.clone().named(&body_name), Some(b.mbsync.clone())),
        Row::new(
            b.tern.clone().named("  (same, vs the raw fetch)"),
            Some(b.raw.clone()),
        ),
        Row::new(new_mail.clone(), Some(bare_idle.clone())),
        Row::new(open_uncached.clone(), None),
        Row::new(open_cached.clone(), None),
        Row::new(open_offline.clone(), None),
    ]
    .into_iter()
    .chain(searches.iter().map(|s| Row::new(s.clone(), None)))
    .collect();

    let rss = |kib: u64| kib as f64 / 1024.0;
    let mut checks = vec![
        targets::at_most_times(
            "initial header sync <= 1.5x raw FETCH",
            &h.tern,
            &h.raw_envelope,
            1.5,
        ),
        targets::below(
            "no-change resync < 50 ms",
            "median",
            resync.median,
            "ms",
            50.0,
        ),
        targets::faster_by(
            "no-change resync >= 20x faster than mbsync",
            &resync,
            &mb_resync,
            20.0,
        ),
        targets::faster_by(
            "full-body sync >= 3x faster than mbsync",
            &b.tern,
            &b.mbsync,
            3.0,
        ),
        targets::at_most_times("full-body sync <= 2x raw fetch", &b.tern, &b.raw, 2.0),
        targets::within(
            "new-mail latency within 100 ms of bare IDLE",
            &new_mail,
            &bare_idle,
            100.0,
        ),
        targets::below(
            "cached open p95 < 30 ms",
            "p95",
            open_cached.p95,
            "ms",
            30.0,
        ),
    ];
    for s in &searches {
        checks.push(targets::below(
            &format!("{} p95 < 30 ms", s.name),
            "p95",
            s.p95,
            "ms",
            30.0,
        ));
    }
    checks.push(targets::below(
        "engine peak RSS during the sync < 200 MB",
        "tern sync",
        rss(c.max_rss_kib) * 1.048576,
        "MB",
        200.0,
    ));
    checks.push(targets::not_measured(
        "app idle total (PSS) < 300 MB",
        "measured by tests/bench/app-start.mjs (needs the built app and Xvfb)",
    ));

    notes.extend(h.notes.clone());
    notes.extend([
        format!("the full-body folder is bob's `{}`, alone in its account: Tern's offline mode (`tern sync --bodies`, EngineOptions prefetch of every body) covers a whole account", bodies::FOLDER),
        "no-change resync: Engine::sync with no worker running, so it opens its own connection (TCP, TLS, LOGIN) as mbsync does; the 'running worker' row reuses the worker's live connection".into(),
        "mbsync runs with `FSync no` (Tern's cache does not fsync each batch either); its maildir starts empty for each full-body run".into(),
        "new-mail latency is measured to the engine's NewMail event (what the app turns into a notification); Dovecot holds IDLE notifications for about 500 ms, so both columns include that".into(),
        format!("open: Engine::open_message until the sanitized view is built, {} INBOX messages spread over the list, first uncached (fetched over the foreground connection), then again cached", ids.len()),
        format!("search: Engine::search_count then Engine::search (page of 50), {search_runs} passes over each query set, all folders; the {big} INBOX has headers only (no bodies), see examples/search_bench.rs for a cache with every body"),
        format!("peak RSS from {}; MB = 10^6 bytes in the target, MiB elsewhere", c.rss_source),
        "full-body sync: Tern's offline mode fetches each message whole with its cache row in one FETCH and stores the bodies as they came; the store's background thread then threads, decodes and indexes them (the 'background work' diagnostic, waited for before the next measurement). Messages open from the raw body meanwhile".into(),
    ]);

    let mut diagnostics = h.diagnostics;
    diagnostics.push(b.background.clone());
    Ok(Report {
        machine,
        messages: args.messages,
        body_messages: args.body_messages,
        runs,
        seeding_s: 0.0,
        priming: h.priming,
        rows,
        checks,
        diagnostics,
        single,
        notes,
        loadavg_at_end: sys::loadavg(),
    })
}
