//! tern-seed: writes realistic, deterministic test messages into a maildir.
//!
//!     tern-seed --maildir PATH --count N [--seed S] [--start-index I]
//!     tern-seed --one [--seed S] [--start-index I]
//!
//! See `tern-seed --help` and tests/testbed/README.md.

mod data;
mod gen;
mod mime;
mod rng;

use gen::{Generator, Options, Person};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const HELP: &str = "\
tern-seed: generate realistic test mail (deterministic for a given seed)

Usage:
  tern-seed --maildir PATH --count N [options]
      Write N messages as maildir files into PATH/cur (creating PATH and
      cur/ new/ tmp/ if needed). Each file's mtime is set to its Date header.
  tern-seed --one [--seed S] [--start-index I] [--lf]
      Print one message to stdout (CRLF line endings unless --lf), e.g. for
      an IMAP APPEND. Its Date is the current time (or --now).

Options:
  --seed S             PRNG seed (decimal or 0x-hex, default 1)
  --start-index I      index of the first message (default 0); messages are a
                       pure function of (seed, index), so a second batch with
                       --start-index = previous count adds new messages
  --now EPOCH          end of the date range, seconds since 1970 (default: now);
                       fix it to make the output byte-for-byte reproducible
  --years Y            the dates of a batch span Y years up to --now (default 6)
  --owner ADDR         the mailbox owner's address, used in To/Received
                       (default terry@example.com)
  --chown UID:GID      chown created files and directories (when run as root)
  --bodies-only-text   only text/plain bodies: no HTML, no attachments
  --jobs N             worker threads (default: number of CPUs)
  --quiet              no summary on stderr
";

struct Args {
    maildir: Option<PathBuf>,
    count: u64,
    seed: u64,
    start: u64,
    now: Option<i64>,
    years: f64,
    owner: String,
    chown: Option<(u32, u32)>,
    text_only: bool,
    one: bool,
    lf: bool,
    jobs: usize,
    quiet: bool,
}

fn parse_u64(s: &str) -> Result<u64, String> {
    let r = if let Some(h) = s.strip_prefix("0x") {
        u64::from_str_radix(h, 16)
    } else {
        s.parse()
    };
    r.map_err(|_| format!("not a number: {s}"))
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        maildir: None,
        count: 0,
        seed: 1,
        start: 0,
        now: None,
        years: 6.0,
        owner: "terry@example.com".into(),
        chown: None,
        text_only: false,
        one: false,
        lf: false,
        jobs: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
        quiet: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut val = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or(format!("{name} needs a value"))
        };
        match name.as_str() {
            "--maildir" => a.maildir = Some(PathBuf::from(val()?)),
            "--count" => a.count = parse_u64(&val()?)?,
            "--seed" => a.seed = parse_u64(&val()?)?,
            "--start-index" => a.start = parse_u64(&val()?)?,
            "--now" => a.now = Some(parse_u64(&val()?)? as i64),
            "--years" => a.years = val()?.parse().map_err(|_| "bad --years")?,
            "--owner" => a.owner = val()?,
            "--chown" => {
                let v = val()?;
                let (u, g) = v.split_once(':').ok_or("--chown wants UID:GID")?;
                a.chown = Some((
                    u.parse().map_err(|_| "bad uid in --chown")?,
                    g.parse().map_err(|_| "bad gid in --chown")?,
                ));
            }
            "--bodies-only-text" | "--text-only" => a.text_only = true,
            "--one" => a.one = true,
            "--lf" => a.lf = true,
            "--crlf" => a.lf = false,
            "--jobs" => a.jobs = (parse_u64(&val()?)? as usize).max(1),
            "--quiet" | "-q" => a.quiet = true,
            "--help" | "-h" => {
                print!("{HELP}");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument: {arg} (try --help)")),
        }
    }
    if !a.one && a.maildir.is_none() {
        return Err("--maildir PATH is required (or --one); try --help".into());
    }
    Ok(a)
}

fn owner(addr: &str) -> Person {
    let local = addr.split('@').next().unwrap_or("terry");
    let name = local
        .split(['.', '_', '-'])
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    Person {
        name: if name.is_empty() {
            "Terry Tern".into()
        } else {
            name
        },
        email: addr.to_string(),
        tz: 60,
    }
}

fn now_secs(a: &Args) -> i64 {
    a.now.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    })
}

fn ensure_dir(p: &Path, chown: Option<(u32, u32)>) -> io::Result<()> {
    if p.is_dir() {
        return Ok(());
    }
    if let Some(parent) = p.parent() {
        if !parent.as_os_str().is_empty() {
            ensure_dir(parent, chown)?;
        }
    }
    match fs::create_dir(p) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(e),
    }
    if let Some((u, g)) = chown {
        std::os::unix::fs::chown(p, Some(u), Some(g))?;
    }
    Ok(())
}

/// Writes messages start+k for k in `ks` (this worker's share).
fn worker(
    a: &Args,
    opts: &Options,
    dir: &Path,
    now_us: i64,
    ks: impl Iterator<Item = u64>,
) -> io::Result<(u64, u64)> {
    let mut g = Generator::new(opts, Rc::new(gen::people()));
    let span_us = (a.years * 365.25 * 86_400.0 * 1e6) as i64;
    let step = (span_us / (a.count as i64 + 1)).max(1);
    let (tmp, cur) = (dir.join("tmp"), dir.join("cur"));
    let (mut n, mut total) = (0u64, 0u64);
    for k in ks {
        let i = a.start + k;
        // dates increase with the index, with jitter up to 1.5 steps (so
        // neighbours are sometimes out of order); the last one is <= now.
        let jitter = rng::Rng::new(rng::key(opts.seed, i, 6)).below(step as u64 * 3 / 2) as i64;
        let date_us = now_us - span_us + k as i64 * step + jitter;
        let msg = g.message(i, date_us);
        let size = msg.bytes.len();
        let vsize = size + msg.bytes.iter().filter(|&&b| b == b'\n').count();
        let (secs, usec) = (date_us.div_euclid(1_000_000), date_us.rem_euclid(1_000_000));
        // Dovecot orders new files by the leading time (and .M microseconds)
        // when it assigns UIDs, so UID order follows the Date order.
        let base = format!(
            "{secs}.M{usec}I{i}X{:x}.tern-seed,S={size},W={vsize}",
            opts.seed
        );
        let tmp_path = tmp.join(&base);
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp_path)?;
        f.write_all(&msg.bytes)?;
        f.set_modified(UNIX_EPOCH + Duration::from_micros(date_us.max(0) as u64))?;
        if let Some((u, gid)) = a.chown {
            std::os::unix::fs::fchown(&f, Some(u), Some(gid))?;
        }
        drop(f);
        fs::rename(&tmp_path, cur.join(format!("{base}:2,{}", msg.flags)))?;
        n += 1;
        total += size as u64;
    }
    Ok((n, total))
}

fn run(a: Args) -> io::Result<()> {
    let opts = Options {
        seed: a.seed,
        text_only: a.text_only,
        owner: owner(&a.owner),
    };
    let now_us = now_secs(&a) * 1_000_000;
    if a.one {
        let mut g = Generator::new(&opts, Rc::new(gen::people()));
        let msg = g.message(a.start, now_us);
        let out = if a.lf {
            msg.bytes
        } else {
            let mut v = Vec::with_capacity(msg.bytes.len() * 21 / 20);
            for &b in &msg.bytes {
                if b == b'\n' {
                    v.push(b'\r');
                }
                v.push(b);
            }
            v
        };
        let mut so = io::stdout().lock();
        so.write_all(&out)?;
        return so.flush();
    }

    let dir = a.maildir.clone().unwrap();
    for sub in ["", "cur", "new", "tmp"] {
        ensure_dir(&dir.join(sub), a.chown)?;
    }
    let t0 = Instant::now();
    let jobs = (a.jobs as u64).min(a.count.max(1)) as usize;
    let results: Vec<io::Result<(u64, u64)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|w| {
                let (a, opts, dir) = (&a, &opts, &dir);
                s.spawn(move || worker(a, opts, dir, now_us, (w as u64..a.count).step_by(jobs)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker panicked"))
            .collect()
    });
    let (mut n, mut bytes) = (0, 0);
    for r in results {
        let (rn, rb) = r?;
        n += rn;
        bytes += rb;
    }
    if !a.quiet {
        let secs = t0.elapsed().as_secs_f64();
        eprintln!(
            "tern-seed: wrote {n} messages ({:.1} MiB) to {} in {secs:.2} s ({:.0} msg/s)",
            bytes as f64 / 1048576.0,
            dir.join("cur").display(),
            n as f64 / secs.max(1e-9)
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("tern-seed: {e}");
            return ExitCode::from(2);
        }
    };
    match run(a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tern-seed: {e}");
            ExitCode::FAILURE
        }
    }
}
