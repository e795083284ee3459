//! Summaries of the samples: figures with their references, the targets and whether each is
//! met, printed as tables and written as JSON.

use crate::sys::Machine;
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::Path;

/// One measured figure with all its samples.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: String,
    pub unit: String,
    pub median: f64,
    /// Nearest-rank 95th percentile; with few samples it is the maximum.
    pub p95: f64,
    pub min: f64,
    pub max: f64,
    pub samples: Vec<f64>,
}

/// The nearest-rank percentile `p` (0..=1) of sorted samples.
fn rank(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

impl Figure {
    pub fn new(name: &str, unit: &str, samples: Vec<f64>) -> Figure {
        let mut sorted = samples.clone();
        sorted.sort_by(f64::total_cmp);
        let median = match sorted.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => sorted[n / 2],
            n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        };
        Figure {
            name: name.to_string(),
            unit: unit.to_string(),
            median,
            p95: rank(&sorted, 0.95),
            min: sorted.first().copied().unwrap_or(f64::NAN),
            max: sorted.last().copied().unwrap_or(f64::NAN),
            samples,
        }
    }

    /// The same figure under another name.
    pub fn named(mut self, name: &str) -> Figure {
        self.name = name.to_string();
        self
    }
}

/// A headline figure of Tern's, with the reference measured in the same run beside it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub tern: Figure,
    pub reference: Option<Figure>,
}

impl Row {
    pub fn new(tern: Figure, reference: Option<Figure>) -> Row {
        Row { tern, reference }
    }
}

/// A target from issue 8 and what this run measured against it.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub target: String,
    /// What was compared, in words with numbers ("0.8 ms vs 50 ms").
    pub measured: String,
    /// Tern over the reference or over the limit: at most 1.0 is good unless the target says
    /// "faster", where it is the reference over Tern.
    pub ratio: f64,
    /// `None` when the figure was not measured in this run.
    pub met: Option<bool>,
}

/// Everything the bench found, as written to JSON.
#[derive(Debug, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub messages: u32,
    pub body_messages: u32,
    pub runs: u32,
    pub seeding_s: f64,
    /// The untimed priming passes (first SELECT, first FETCH of each item set), in seconds.
    pub priming: Vec<(String, f64)>,
    pub rows: Vec<Row>,
    pub checks: Vec<Check>,
    /// Figures that explain the headline ones (phases, CPU, probes).
    pub diagnostics: Vec<Figure>,
    /// Single measurements (sizes, the CLI run), name -> value with unit in the name.
    pub single: Vec<(String, f64)>,
    pub notes: Vec<String>,
    pub loadavg_at_end: String,
}

fn fmt(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn range(f: &Figure) -> String {
    format!("{}–{}", fmt(f.min), fmt(f.max))
}

impl Report {
    pub fn print(&self) {
        let m = &self.machine;
        println!();
        println!(
            "machine: {} x {} | {} MiB RAM | Linux {} | Dovecot {} | load {} at start, {} at end",
            m.nproc,
            m.cpu_model,
            m.mem_total_kib / 1024,
            m.kernel,
            m.dovecot,
            m.loadavg_at_start,
            self.loadavg_at_end
        );
        println!(
            "corpus: {} messages in alice's INBOX, {} with bodies in bob's folder, seeded in {:.1} s; {} runs of each measurement",
            self.messages, self.body_messages, self.seeding_s, self.runs
        );
        println!("priming (untimed; both sides then see the same warm index and page cache):");
        for (k, v) in &self.priming {
            println!("  {k:<58} {v:>9.3} s");
        }
        self.print_rows();
        self.print_checks();
        println!("\ndiagnostics");
        let w = self
            .diagnostics
            .iter()
            .map(|f| f.name.len() + f.unit.len() + 3)
            .max()
            .unwrap_or(20);
        for f in &self.diagnostics {
            let name = format!("{} ({})", f.name, f.unit);
            println!("  {name:<w$} {:>9} {:>19}", fmt(f.median), range(f));
        }
        let w = self.single.iter().map(|s| s.0.len()).max().unwrap_or(20);
        for (k, v) in &self.single {
            println!("  {k:<w$} {:>9}", fmt(*v));
        }
        if !self.notes.is_empty() {
            println!();
            for n in &self.notes {
                println!("note: {n}");
            }
        }
    }

    fn print_rows(&self) {
        let w = self
            .rows
            .iter()
            .map(|r| r.tern.name.len() + r.tern.unit.len() + 3)
            .max()
            .unwrap_or(30);
        let rw = self
            .rows
            .iter()
            .filter_map(|r| r.reference.as_ref().map(|f| f.name.len()))
            .max()
            .unwrap_or(10);
        println!();
        println!(
            "{:<w$} {:>9} {:>9} {:>17} | {:<rw$} {:>9} {:>17}",
            "Tern", "median", "p95", "min–max", "reference, same run", "median", "min–max"
        );
        println!("{}", "-".repeat(w + rw + 70));
        for r in &self.rows {
            let f = &r.tern;
            let name = format!("{} ({})", f.name, f.unit);
            let reference = match &r.reference {
                Some(g) => format!("{:<rw$} {:>9} {:>17}", g.name, fmt(g.median), range(g)),
                None => format!("{:<rw$}", "—"),
            };
            println!(
                "{name:<w$} {:>9} {:>9} {:>17} | {reference}",
                fmt(f.median),
                fmt(f.p95),
                range(f)
            );
        }
    }

    fn print_checks(&self) {
        let w = self
            .checks
            .iter()
            .map(|c| c.target.len())
            .max()
            .unwrap_or(30);
        println!();
        println!("{:<w$} {:>8}  {:<7} measured", "target", "ratio", "verdict");
        println!("{}", "-".repeat(w + 60));
        for c in &self.checks {
            let verdict = match c.met {
                Some(true) => "MET",
                Some(false) => "MISSED",
                None => "n/a",
            };
            println!(
                "{:<w$} {:>7.2}x  {verdict:<7} {}",
                c.target, c.ratio, c.measured
            );
        }
    }

    pub fn write_json(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_percentiles() {
        assert_eq!(Figure::new("a", "s", vec![3.0, 1.0, 2.0]).median, 2.0);
        assert_eq!(Figure::new("a", "s", vec![4.0, 1.0, 2.0, 3.0]).median, 2.5);
        let f = Figure::new("a", "ms", (1..=100).map(f64::from).collect());
        assert_eq!((f.p95, f.min, f.max), (95.0, 1.0, 100.0));
        assert_eq!(Figure::new("a", "s", vec![1.0, 9.0]).p95, 9.0);
        assert!(Figure::new("a", "s", vec![]).p95.is_nan());
    }
}
