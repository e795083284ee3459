//! Facts about the machine and this process: CPU model, per-thread CPU time, sizes on disk.

use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

/// What the figures were measured on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub nproc: usize,
    pub cpu_model: String,
    pub mem_total_kib: u64,
    pub kernel: String,
    pub dovecot: String,
    /// /proc/loadavg when the bench started: other work on the machine skews every figure.
    pub loadavg_at_start: String,
}

/// The 1, 5 and 15 minute load averages.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn first_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

pub fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = first_value(&meminfo, "MemTotal")
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let dovecot = std::process::Command::new("dovecot")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    Machine {
        nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model: first_value(&cpuinfo, "model name").unwrap_or_else(|| "unknown".into()),
        mem_total_kib: mem,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        dovecot,
        loadavg_at_start: loadavg(),
    }
}

/// User+system CPU time of each thread of this process, by thread id.
pub type ThreadCpu = HashMap<u32, Duration>;

fn clock_ticks() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as u64
    } else {
        100
    }
}

/// Reads utime+stime of every thread from /proc/self/task/*/stat.
pub fn thread_cpu() -> ThreadCpu {
    let hz = clock_ticks();
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(tid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        // `rest` starts at field 3 (state), so field n is at index n - 3.
        let total = ticks(11) + ticks(12);
        out.insert(tid, Duration::from_micros(total * 1_000_000 / hz));
    }
    out
}

/// CPU used between two snapshots, split into threads in `async_set` and all others.
pub fn cpu_split(
    before: &ThreadCpu,
    after: &ThreadCpu,
    async_set: &HashSet<u32>,
) -> (Duration, Duration) {
    let mut a = Duration::ZERO;
    let mut b = Duration::ZERO;
    for (tid, t) in after {
        let d = t.saturating_sub(before.get(tid).copied().unwrap_or_default());
        if async_set.contains(tid) {
            a += d;
        } else {
            b += d;
        }
    }
    (a, b)
}

/// Total size of a directory tree: (apparent bytes, allocated bytes, regular files).
pub fn tree_size(root: &Path) -> Result<(u64, u64, u64)> {
    let mut apparent = 0;
    let mut allocated = 0;
    let mut files = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let e = e?;
            let md = e.metadata()?;
            if md.is_dir() {
                stack.push(e.path());
            } else {
                apparent += md.len();
                allocated += md.blocks() * 512;
                files += 1;
            }
        }
    }
    Ok((apparent, allocated, files))
}

/// Size of a file, 0 when it does not exist.
pub fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

/// The largest resident set of any waited-for child so far, in KiB (getrusage).
pub fn children_max_rss_kib() -> u64 {
    // SAFETY: getrusage only writes into the struct we pass.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) == 0 {
            ru.ru_maxrss.max(0) as u64
        } else {
            0
        }
    }
}

/// This process's own peak resident set (VmHWM), in KiB.
pub fn self_peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| first_value(&s, "VmHWM"))
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// Lets the disk settle before a timed run: writes back what earlier runs left dirty, then
/// waits a moment. Without it the side timed next pays for the previous one's writes: on
/// this machine mbsync's 10,000 file creations took 5.3 s of system time right after another
/// run had written its 133 MiB, and 1.2 s after a `sync` and a pause.
pub fn settle() {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
    std::thread::sleep(std::time::Duration::from_secs(2));
}
