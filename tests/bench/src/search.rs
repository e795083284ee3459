//! Local search queries as people type them, and their latency through `Engine::search`:
//! shared by `tern-bench` and the `search_bench` example.

use anyhow::Result;
use std::time::{Duration, Instant};
use tern_engine::{Engine, FolderId};

/// One-word queries: common and rarer words of the generator's vocabulary.
pub const WORDS: &[&str] = &[
    "invoice", "budget", "meeting", "deadline", "server", "garden", "kernel", "museum", "weather",
    "contract",
];

/// Words typed one key at a time (from the second letter on), as a search box sees them.
pub const TYPED: &[&str] = &[
    "deadline",
    "quarterly",
    "presentation",
    "zurich",
    "conference",
];

/// The query classes measured.
pub struct Queries {
    /// A finished word (trailing space: not a prefix).
    pub one: Vec<String>,
    /// The least common sender surnames, as most real queries are rare.
    pub rare: Vec<String>,
    /// `from:NAME subject:WORD` and `from:NAME has:attachment`.
    pub two_ops: Vec<String>,
    /// Every prefix of a few words, as typed.
    pub typed: Vec<String>,
    /// What the app sends: the box trimmed, so the last word is a prefix.
    pub app: Vec<String>,
}

/// Builds the query sets from the senders in the cache.
pub fn queries(engine: &Engine) -> Result<Queries> {
    let store = engine.store();
    let names: Vec<String> = store.read(|c| {
        let mut s = c.prepare(
            "SELECT lower(substr(from_name, 1, instr(from_name || ' ', ' ') - 1)) AS n
             FROM messages WHERE from_name <> '' GROUP BY n ORDER BY count(*) DESC LIMIT 5",
        )?;
        let rows = s.query_map([], |r| r.get(0))?.collect();
        rows
    })?;
    let two_ops = names
        .iter()
        .zip(["report", "meeting", "invoice", "project", "update"])
        .flat_map(|(n, w)| {
            [
                format!("from:{n} subject:{w} "),
                format!("from:{n} has:attachment "),
            ]
        })
        .collect();
    let typed = TYPED
        .iter()
        .flat_map(|w| (2..=w.len()).map(move |i| w[..i].to_string()))
        .chain(["budget r", "budget re", "budget rev", "budget revi"].map(String::from))
        .collect();
    let rare = store
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
    Ok(Queries {
        one: WORDS.iter().map(|w| format!("{w} ")).collect(),
        rare,
        two_ops,
        typed,
        app: WORDS.iter().map(|w| w.to_string()).collect(),
    })
}

/// Milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// CPU time of the calling thread in milliseconds: less disturbed than wall time by other
/// work on a shared machine (a search runs on its caller's thread).
pub fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given and nothing else.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}

/// p50 and p95 (nearest rank) of samples, and the maximum.
pub fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    (at(0.50), at(0.95), v[v.len() - 1])
}

/// Latencies of one query class, in milliseconds.
#[derive(Default)]
pub struct Samples {
    /// `Engine::search`, a page of 50 with highlights.
    pub wall: Vec<f64>,
    pub cpu: Vec<f64>,
    /// `Engine::search_count`, which the app asks first.
    pub count: Vec<f64>,
    pub count_cpu: Vec<f64>,
    /// Results returned per query, on average.
    pub hits: f64,
}

/// Runs every query `runs` times as the app does (the count, then the first page of 50).
pub fn measure(
    engine: &Engine,
    queries: &[String],
    scope: Option<FolderId>,
    runs: u32,
) -> Result<Samples> {
    let mut m = Samples::default();
    let mut hits = 0usize;
    for _ in 0..runs {
        for q in queries {
            let (t, c) = (Instant::now(), thread_cpu_ms());
            engine.search_count(q, scope)?;
            m.count.push(ms(t.elapsed()));
            m.count_cpu.push(thread_cpu_ms() - c);
            let (t, c) = (Instant::now(), thread_cpu_ms());
            let r = engine.search(q, scope, 0, 50)?;
            m.wall.push(ms(t.elapsed()));
            m.cpu.push(thread_cpu_ms() - c);
            hits += r.len();
        }
    }
    m.hits = hits as f64 / (runs as usize * queries.len()).max(1) as f64;
    Ok(m)
}
