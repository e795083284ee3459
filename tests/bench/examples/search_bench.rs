//! `search_bench`: seeds a Dovecot testbed INBOX with N messages, syncs them with every body
//! cached, and measures the local search: index size on disk, the time to build the index
//! from scratch, and p50/p95 latency of one-word (frequent and rare), two-operator and
//! as-you-type queries (each
//! through `Engine::search`, a page of 50 with highlights), plus a conversation-list page.
//!
//! Usage: `cargo run --release -p tern-bench --example search_bench -- [--messages N] [--runs R] [--json FILE]`.
//! (An example rather than a second binary, so `cargo run -p tern-bench` still needs no `--bin`.)
//!
//! Seeding and syncing 100,000 messages with bodies takes minutes; `--keep FILE` saves the
//! synced cache and `--cache FILE` measures a copy of one instead (no testbed, no sync).
//! `--reindex` first drops what migration step 3 made (search index, threads) from a copy of a
//! schema-3 cache, so this build's migrations make them again and the whole index is built
//! through the store's own indexer, timed: the "build from scratch" figure.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tern_bench::search::{self, ms, percentiles};
use tern_engine::{Engine, EngineOptions};
use tern_testsupport::Testbed;

const HELP: &str = "search_bench [--messages N] [--runs R] [--json FILE] [--keep FILE] [--cache FILE [--reindex]] [--no-rebuild]
  --messages N  messages seeded into alice's INBOX (default 100000)
  --runs R      timed runs of each query (default 20)
  --json FILE   where to write the results (default target/bench/search.json)
  --keep FILE   also copy the synced (or reindexed) cache there (for query plans, or --cache)
  --cache FILE  measure a copy of this cache (from --keep) instead of seeding and syncing
  --reindex     with --cache: drop the search index and threads (migration step 3) from the
                copy, let this build create them again and time indexing every message
  --no-rebuild  skip timing a rebuild of the index (minutes at 100k)";

struct Args {
    messages: u32,
    runs: u32,
    json: PathBuf,
    keep: Option<PathBuf>,
    cache: Option<PathBuf>,
    reindex: bool,
    rebuild: bool,
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
        cache: None,
        reindex: false,
        rebuild: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--messages" => a.messages = value("--messages")?.parse().context("--messages")?,
            "--runs" => a.runs = value("--runs")?.parse().context("--runs")?,
            "--json" => a.json = PathBuf::from(value("--json")?),
            "--keep" => a.keep = Some(PathBuf::from(value("--keep")?)),
            "--cache" => a.cache = Some(PathBuf::from(value("--cache")?)),
            "--reindex" => a.reindex = true,
            "--no-rebuild" => a.rebuild = false,
            "-h" | "--help" => {
                println!("{HELP}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{HELP}"),
        }
    }
    if a.reindex && a.cache.is_none() {
        bail!("--reindex needs --cache\n{HELP}");
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

/// No passwords: a cache measured with `--cache` never connects.
struct NoPasswords;

impl tern_engine::Credentials for NoPasswords {
    fn password(&self, _: &tern_engine::Account) -> tern_engine::Result<String> {
        Err(tern_engine::Error::new(
            tern_engine::ErrorKind::Credentials,
            "search_bench --cache does not connect",
        ))
    }
}

/// Drops what migration step 3 made from the cache at `path` (every schema object that steps
/// 1 and 2 did not make, and the messages' thread column) and marks it as schema 2, so that
/// opening it runs this build's step 3.
fn drop_step_3(path: &Path) -> Result<()> {
    const STEPS_1_2: &[&str] = &[
        "accounts",
        "folders",
        "messages",
        "bodies",
        "settings",
        "pending_ops",
        "messages_by_date",
        "messages_by_message_id",
        "pending_ops_by_account",
    ];
    let c = rusqlite::Connection::open(path)?;
    let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != 3 {
        bail!("--reindex knows schema 3, the cache has {version}");
    }
    let objects = |c: &rusqlite::Connection| -> Result<Vec<(String, String, String)>> {
        let mut s = c.prepare(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_schema
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type = 'table'",
        )?;
        let rows = s
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    };
    // Virtual tables first: they drop their own shadow tables.
    for (kind, name, sql) in objects(&c)? {
        if kind == "table" && sql.starts_with("CREATE VIRTUAL") {
            c.execute_batch(&format!("DROP TABLE \"{name}\""))?;
        }
    }
    for (kind, name, _) in objects(&c)? {
        if !STEPS_1_2.contains(&name.as_str()) {
            c.execute_batch(&format!("DROP {kind} IF EXISTS \"{name}\""))?;
        }
    }
    c.execute_batch("ALTER TABLE messages DROP COLUMN thread_id; PRAGMA user_version = 2;")?;
    Ok(())
}

/// A cache to measure: seeded and synced from a testbed, or a copy of a kept one.
struct Subject {
    _testbed: Option<Testbed>,
    _profile: tempfile::TempDir,
    engine: Engine,
    account: tern_engine::AccountId,
    sync_s: f64,
    /// Indexing what sync queued, after it (or, with --reindex, every message).
    index_s: f64,
}

fn synced(args: &Args) -> Result<Subject> {
    let profile = tempfile::tempdir().context("profile dir")?;
    if let Some(cache) = &args.cache {
        let copy = profile.path().join(tern_engine::CACHE_FILE);
        let t = Instant::now();
        std::fs::copy(cache, &copy).with_context(|| format!("copying {}", cache.display()))?;
        println!(
            "copied {} in {:.1} s",
            cache.display(),
            t.elapsed().as_secs_f64()
        );
        if args.reindex {
            drop_step_3(&copy)?;
        }
        let t = Instant::now();
        let engine = Engine::open(
            profile.path(),
            Arc::new(NoPasswords),
            EngineOptions::default(),
        )
        .context("Engine::open")?;
        let open_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        engine.store().catch_up_search_index()?;
        let index_s = t.elapsed().as_secs_f64();
        // Migrations 6 and 7 leave every message to be threaded again by the store's
        // background thread: done here, untimed, so it does not run under the queries.
        let t = Instant::now();
        engine.store().catch_up_threads()?;
        let thread_s = t.elapsed().as_secs_f64();
        if args.reindex {
            println!("migrations in {open_s:.1} s; indexing every message: {index_s:.1} s; threading every message: {thread_s:.1} s");
        }
        let account = engine.accounts()?.first().context("no account")?.id;
        return Ok(Subject {
            _testbed: None,
            _profile: profile,
            engine,
            account,
            sync_s: 0.0,
            index_s,
        });
    }
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
    let mut opts = EngineOptions::default();
    opts.sync.fetch_all_bodies();
    let engine = Engine::open(profile.path(), tb.credentials(), opts).context("Engine::open")?;
    let account = engine.add_account(&tb.account("alice"))?;
    let t = Instant::now();
    let report = rt.block_on(engine.sync(account))?;
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
    // Sync only queued the headers for search; the store's indexer takes them once inserts
    // pause (the bodies of already indexed rows were indexed with their batches).
    let t = Instant::now();
    engine.store().catch_up_search_index()?;
    let index_s = t.elapsed().as_secs_f64();
    println!("indexing what sync queued, after it: {index_s:.1} s");
    engine.store().catch_up_threads()?;
    Ok(Subject {
        _testbed: Some(tb),
        _profile: profile,
        engine,
        account,
        sync_s,
        index_s,
    })
}

fn run() -> Result<()> {
    let args = parse_args()?;
    let subject = synced(&args)?;
    let (engine, id) = (&subject.engine, subject.account);
    let store = engine.store();
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
             WHERE name LIKE 'search%' OR name IN ('messages', 'bodies') GROUP BY name ORDER BY name",
        )?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect();
        rows
    })?;
    let fts_bytes: i64 = sizes
        .iter()
        .filter(|(n, _)| n.starts_with("search"))
        .map(|(_, b)| b)
        .sum();
    let content_bytes: i64 = sizes
        .iter()
        .filter(|(n, _)| n == "search_index_content")
        .map(|(_, b)| b)
        .sum();
    // Pages in use (a cache from --reindex has the old index's pages free).
    let db_bytes: i64 = store.read(|c| {
        c.query_row(
            "SELECT (page_count - freelist_count) * page_size
             FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()",
            [],
            |r| r.get(0),
        )
    })?;

    // Queries in the state sync left the index in (incremental segments, automerged).
    let q = search::queries(engine)?;
    let measure = |queries: &[String], scope| search::measure(engine, queries, scope, args.runs);
    // How many messages each query matches in all (untimed).
    let matches = |q: &str, scope| -> Result<i64> { Ok(engine.search_count(q, scope)? as i64) };
    let mut rows = Vec::new();
    for (label, queries, scope) in [
        ("one word", &q.one, None),
        ("one rare word", &q.rare, None),
        ("two operators", &q.two_ops, None),
        ("prefix as you type", &q.typed, None),
        ("app: word, in INBOX", &q.app, Some(inbox)),
    ] {
        let m = measure(queries, scope)?;
        let total: i64 = queries
            .iter()
            .map(|q| matches(q, scope))
            .sum::<Result<i64>>()?;
        let (p50, p95, max) = percentiles(m.wall);
        let (u50, u95, _) = percentiles(m.cpu);
        let (c50, c95, cmax) = percentiles(m.count);
        let (cu50, cu95, _) = percentiles(m.count_cpu);
        println!(
            "{label:<20} p50 {p50:>7.2} ms  p95 {p95:>7.2} ms  max {max:>7.2} ms  (CPU p50 {u50:.2}, p95 {u95:.2}; {} queries, {:.0} matches each on average, {:.0} returned)",
            queries.len(),
            total as f64 / queries.len() as f64,
            m.hits
        );
        println!(
            "{:<20} p50 {c50:>7.2} ms  p95 {c95:>7.2} ms  max {cmax:>7.2} ms  (CPU p50 {cu50:.2}, p95 {cu95:.2})",
            "  its count"
        );
        rows.push(serde_json::json!({
            "query": label, "queries": queries, "p50_ms": p50, "p95_ms": p95, "max_ms": max,
            "cpu_p50_ms": u50, "cpu_p95_ms": u95,
            "count_p50_ms": c50, "count_p95_ms": c95, "count_max_ms": cmax,
            "count_cpu_p50_ms": cu50, "count_cpu_p95_ms": cu95,
            "avg_matches": total as f64 / queries.len() as f64,
        }));
    }
    let (mut thread_samples, mut thread_counts) = (Vec::new(), Vec::new());
    for i in 0..args.runs {
        let t = Instant::now();
        let page = engine.threads(Some(inbox), (i % 4) * 50, 50)?;
        thread_samples.push(ms(t.elapsed()));
        if page.is_empty() {
            bail!("no conversations");
        }
        let t = Instant::now();
        engine.thread_count(Some(inbox))?;
        thread_counts.push(ms(t.elapsed()));
    }
    let (tp50, tp95, tmax) = percentiles(thread_samples);
    let (tc50, tc95, tcmax) = percentiles(thread_counts);
    println!("conversation page    p50 {tp50:>7.2} ms  p95 {tp95:>7.2} ms  max {tmax:>7.2} ms (threads(INBOX), 50 per page)");
    println!("  their count        p50 {tc50:>7.2} ms  p95 {tc95:>7.2} ms  max {tcmax:>7.2} ms");

    // The index built again from the cache by the engine's own repair, in one transaction.
    let rebuild_s = if args.rebuild {
        let t = Instant::now();
        engine.rebuild_search_index()?;
        Some(t.elapsed().as_secs_f64())
    } else {
        None
    };

    let mib = |b: i64| b as f64 / (1024.0 * 1024.0);
    println!(
        "\nindex on disk: {:.1} MiB of a {:.1} MiB cache",
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
    if args.reindex {
        println!(
            "built from scratch by the store's indexer (every message queued): {:.1} s",
            subject.index_s
        );
    }
    if let Some(s) = rebuild_s {
        println!("Engine::rebuild_search_index: {s:.1} s");
    }

    let out = serde_json::json!({
        "messages": store.read(|c| c.query_row("SELECT count(*) FROM messages", [], |r| r.get::<_, i64>(0)))?,
        "runs": args.runs, "sync_with_bodies_s": subject.sync_s,
        "cache": args.cache, "reindexed": args.reindex, "index_s": subject.index_s,
        "index_bytes": fts_bytes, "index_content_bytes": content_bytes, "cache_bytes": db_bytes,
        "tables": sizes.iter().map(|(n, b)| serde_json::json!({"name": n, "bytes": b})).collect::<Vec<_>>(),
        "rebuild_s": rebuild_s, "queries": rows,
        "threads_page": {"p50_ms": tp50, "p95_ms": tp95, "max_ms": tmax},
        "threads_count": {"p50_ms": tc50, "p95_ms": tc95, "max_ms": tcmax},
    });
    if let Some(dir) = args.json.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.json, serde_json::to_string_pretty(&out)?)?;
    println!("\nwrote {}", args.json.display());
    Ok(())
}
