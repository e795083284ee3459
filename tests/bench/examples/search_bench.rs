//! `search_bench`: seeds a Dovecot testbed INBOX with N messages, syncs them with every body
//! cached, and measures the local search: index size on disk, the time to build the index
//! from scratch, and p50/p95 latency of one-word (frequent and rare), two-operator and
//! as-you-type queries (each
//! through `Engine::search`, a page of 50 with highlights), plus a conversation-list page.
//!
//! Usage: `cargo run --release -p tern-bench --example search_bench -- [--messages N] [--runs R] [--json FILE]`.
//! (An example rather than a second binary, so `cargo run -p tern-bench` still needs no `--bin`.)

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tern_engine::{Engine, EngineOptions};
use tern_testsupport::Testbed;

const HELP: &str = "search_bench [--messages N] [--runs R] [--json FILE] [--keep FILE]
  --messages N  messages seeded into alice's INBOX (default 100000)
  --runs R      timed runs of each query (default 20)
  --json FILE   where to write the results (default target/bench/search.json)
  --keep FILE   also copy the synced cache there (for looking at query plans)";

/// One-word queries: common and rarer words of the generator's vocabulary.
const WORDS: &[&str] = &[
    "invoice", "budget", "meeting", "deadline", "server", "garden", "kernel", "museum", "weather",
    "contract",
];

/// Words typed one key at a time (from the second letter on), as a search box sees them.
const TYPED: &[&str] = &[
    "deadline",
    "quarterly",
    "presentation",
    "zurich",
    "conference",
];

struct Args {
    messages: u32,
    runs: u32,
    json: PathBuf,
    keep: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut a = Args {
        messages: 100_000,
        runs: 20,
        json: std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| tern_testsupport::repo_root().join("target"))
            .join("bench/search.json"),
        keep: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--messages" => a.messages = value("--messages")?.parse().context("--messages")?,
            "--runs" => a.runs = value("--runs")?.parse().context("--runs")?,
            "--json" => a.json = PathBuf::from(value("--json")?),
            "--keep" => a.keep = Some(PathBuf::from(value("--keep")?)),
            "-h" | "--help" => {
                println!("{HELP}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{HELP}"),
        }
    }
    Ok(a)
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("search_bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 and p95 (nearest rank) of samples in milliseconds, and the maximum.
fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    (at(0.50), at(0.95), v[v.len() - 1])
}

fn run() -> Result<()> {
    let args = parse_args()?;
    let tb = Testbed::start();
    let t = Instant::now();
    tb.seed("alice", "INBOX", args.messages);
    println!(
        "seeded {} messages in {:.1} s",
        args.messages,
        t.elapsed().as_secs_f64()
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the Tokio runtime")?;
    let profile = tempfile::tempdir().context("profile dir")?;
    let mut opts = EngineOptions::default();
    opts.sync.prefetch_newest = u32::MAX;
    opts.sync.prefetch_max_size = u32::MAX;
    let engine = Engine::open(profile.path(), tb.credentials(), opts).context("Engine::open")?;
    let id = engine.add_account(&tb.account("alice"))?;
    let t = Instant::now();
    let report = rt.block_on(engine.sync(id))?;
    let sync_s = t.elapsed().as_secs_f64();
    println!(
        "synced {} messages and {} bodies in {sync_s:.1} s",
        report.added, report.bodies
    );
    if report.bodies < args.messages {
        bail!(
            "only {} of {} bodies are cached",
            report.bodies,
            args.messages
        );
    }
    let store = engine.store();
    // Sync only queued the headers for search; the store's indexer takes them once inserts
    // pause (the bodies of already indexed rows were indexed with their batches).
    let t = Instant::now();
    store.catch_up_search_index()?;
    let catch_up_s = t.elapsed().as_secs_f64();
    println!("indexing what sync queued, after it: {catch_up_s:.1} s");
    let inbox = store.find_folder(id, "INBOX")?.id;
    if let Some(keep) = &args.keep {
        let path = keep.to_string_lossy().replace('\'', "''");
        store.write(|c| c.execute_batch(&format!("VACUUM INTO '{path}'")))?;
        println!("kept a copy of the cache in {}", keep.display());
    }

    // Size on disk, by table (dbstat counts pages, also those still in the WAL).
    let sizes: Vec<(String, i64)> = store.read(|c| {
        let mut s = c.prepare(
            "SELECT name, sum(pgsize) FROM dbstat
             WHERE name LIKE 'search_index%' OR name IN ('messages', 'bodies') GROUP BY name ORDER BY name",
        )?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect();
        rows
    })?;
    let fts_bytes: i64 = sizes
        .iter()
        .filter(|(n, _)| n.starts_with("search_index"))
        .map(|(_, b)| b)
        .sum();
    let content_bytes: i64 = sizes
        .iter()
        .filter(|(n, _)| n == "search_index_content")
        .map(|(_, b)| b)
        .sum();
    let db_bytes: i64 = store.read(|c| {
        c.query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get(0),
        )
    })?;

    // Queries in the state sync left the index in (incremental segments, automerged).
    let names: Vec<String> = store.read(|c| {
        let mut s = c.prepare(
            "SELECT lower(substr(from_name, 1, instr(from_name || ' ', ' ') - 1)) AS n
             FROM messages WHERE from_name <> '' GROUP BY n ORDER BY count(*) DESC LIMIT 5",
        )?;
        let rows = s.query_map([], |r| r.get(0))?.collect();
        rows
    })?;
    let two_ops: Vec<String> = names
        .iter()
        .zip(["report", "meeting", "invoice", "project", "update"])
        .flat_map(|(n, w)| {
            [
                format!("from:{n} subject:{w} "),
                format!("from:{n} has:attachment "),
            ]
        })
        .collect();
    let typed: Vec<String> = TYPED
        .iter()
        .flat_map(|w| (2..=w.len()).map(move |i| w[..i].to_string()))
        .chain(["budget r", "budget re", "budget rev", "budget revi"].map(String::from))
        .collect();
    let one: Vec<String> = WORDS.iter().map(|w| format!("{w} ")).collect();
    // Rarer words, as most real queries are: the least common sender surnames.
    let rare: Vec<String> = store
        .read(|c| {
            let mut s = c.prepare(
                "SELECT lower(substr(from_name, instr(from_name, ' ') + 1)) AS n FROM messages
                 WHERE instr(from_name, ' ') > 0 GROUP BY n ORDER BY count(*), n LIMIT 10",
            )?;
            let rows = s
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<String>, _>>();
            rows
        })?
        .into_iter()
        .map(|n| format!("{n} "))
        .collect();

    let measure = |queries: &[String]| -> Result<(Vec<f64>, f64)> {
        let mut samples = Vec::new();
        let mut hits = 0usize;
        for _ in 0..args.runs {
            for q in queries {
                let t = Instant::now();
                let r = engine.search(q, None, 0, 50)?;
                samples.push(ms(t.elapsed()));
                hits += r.len();
            }
        }
        Ok((
            samples,
            hits as f64 / (args.runs as usize * queries.len()) as f64,
        ))
    };
    // How many messages each query matches in all (untimed).
    let matches = |q: &str| -> Result<i64> { Ok(engine.search_count(q, None)? as i64) };
    let mut rows = Vec::new();
    for (label, queries) in [
        ("one word", &one),
        ("one rare word", &rare),
        ("two operators", &two_ops),
        ("prefix as you type", &typed),
    ] {
        let (samples, avg_hits) = measure(queries)?;
        let total: i64 = queries.iter().map(|q| matches(q)).sum::<Result<i64>>()?;
        let (p50, p95, max) = percentiles(samples);
        println!(
            "{label:<20} p50 {p50:>7.2} ms  p95 {p95:>7.2} ms  max {max:>7.2} ms  ({} queries, {:.0} matches each on average, {avg_hits:.0} returned)",
            queries.len(),
            total as f64 / queries.len() as f64
        );
        rows.push(serde_json::json!({
            "query": label, "queries": queries, "p50_ms": p50, "p95_ms": p95, "max_ms": max,
            "avg_matches": total as f64 / queries.len() as f64,
        }));
    }
    let mut thread_samples = Vec::new();
    for i in 0..args.runs {
        let t = Instant::now();
        let page = engine.threads(Some(inbox), (i % 4) * 50, 50)?;
        thread_samples.push(ms(t.elapsed()));
        if page.is_empty() {
            bail!("no conversations");
        }
    }
    let (tp50, tp95, tmax) = percentiles(thread_samples);
    println!("conversation page    p50 {tp50:>7.2} ms  p95 {tp95:>7.2} ms  max {tmax:>7.2} ms (threads(INBOX), 50 per page)");

    // Building from scratch: a fresh FTS5 table with the same definition, filled from the
    // cache's messages and bodies in one statement; then FTS5's own 'rebuild' + 'optimize'.
    let t = Instant::now();
    let fresh_bytes: i64 = store.write(|c| {
        c.execute_batch(
            "CREATE VIRTUAL TABLE bench_index USING fts5(
                 sender, recipients, cc, subject, body, attachments,
                 tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
             INSERT INTO bench_index (rowid, sender, recipients, cc, subject, body, attachments)
             SELECT id, sender, recipients, cc, subject, body, attachments FROM search_source;",
        )?;
        c.query_row(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'bench_index%'",
            [],
            |r| r.get(0),
        )
    })?;
    let build_s = t.elapsed().as_secs_f64();
    store.write(|c| c.execute_batch("DROP TABLE bench_index"))?;
    let t = Instant::now();
    engine.rebuild_search_index()?;
    let rebuild_s = t.elapsed().as_secs_f64();

    let mib = |b: i64| b as f64 / (1024.0 * 1024.0);
    println!(
        "\nindex on disk (after sync): {:.1} MiB of a {:.1} MiB cache",
        mib(fts_bytes),
        mib(db_bytes)
    );
    for (n, b) in &sizes {
        println!("  {n:<24} {:>8.1} MiB", mib(*b));
    }
    println!(
        "  of which the FTS5 copy of the text (search_index_content): {:.1} MiB; the index proper {:.1} MiB",
        mib(content_bytes),
        mib(fts_bytes - content_bytes)
    );
    println!(
        "build from scratch (fresh table filled from messages + bodies): {build_s:.1} s, {:.1} MiB",
        mib(fresh_bytes)
    );
    println!("FTS5 'rebuild' + 'optimize' of the live index: {rebuild_s:.1} s");

    let out = serde_json::json!({
        "messages": args.messages, "runs": args.runs, "sync_with_bodies_s": sync_s,
        "index_queue_after_sync_s": catch_up_s,
        "index_bytes": fts_bytes, "index_content_bytes": content_bytes, "cache_bytes": db_bytes,
        "tables": sizes.iter().map(|(n, b)| serde_json::json!({"name": n, "bytes": b})).collect::<Vec<_>>(),
        "build_from_scratch_s": build_s, "build_from_scratch_bytes": fresh_bytes,
        "rebuild_optimize_s": rebuild_s, "queries": rows,
        "threads_page": {"p50_ms": tp50, "p95_ms": tp95, "max_ms": tmax},
    });
    if let Some(dir) = args.json.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.json, serde_json::to_string_pretty(&out)?)?;
    println!("\nwrote {}", args.json.display());
    Ok(())
}
