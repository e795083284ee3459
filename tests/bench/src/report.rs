//! Summaries of the samples: the printed table and the JSON file.

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
    pub min: f64,
    pub max: f64,
    pub samples: Vec<f64>,
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
            min: sorted.first().copied().unwrap_or(f64::NAN),
            max: sorted.last().copied().unwrap_or(f64::NAN),
            samples,
        }
    }
}

/// A ratio of two figures' medians, with the per-run range.
#[derive(Debug, Clone, Serialize)]
pub struct Ratio {
    pub name: String,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Ratio {
    /// `num / den`, per run (samples paired by index) and of the medians.
    pub fn of(name: &str, num: &Figure, den: &Figure) -> Ratio {
        let per_run: Vec<f64> = num
            .samples
            .iter()
            .zip(&den.samples)
            .map(|(a, b)| a / b)
            .collect();
        let f = Figure::new(name, "x", per_run);
        Ratio {
            name: name.to_string(),
            median: num.median / den.median,
            min: f.min,
            max: f.max,
        }
    }
}

/// Everything the bench found, as written to JSON.
#[derive(Debug, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub messages: u32,
    pub runs: u32,
    pub seeding_s: f64,
    /// The untimed priming passes (first SELECT, first FETCH of each item set), in seconds.
    pub priming: Vec<(String, f64)>,
    pub figures: Vec<Figure>,
    pub ratios: Vec<Ratio>,
    /// Single measurements (sizes, the CLI run), name -> value with unit in the name.
    pub single: Vec<(String, f64)>,
    pub notes: Vec<String>,
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

impl Report {
    pub fn print(&self) {
        let m = &self.machine;
        println!();
        println!(
            "machine: {} x {} | {} MiB RAM | Linux {} | Dovecot {} | load at start {}",
            m.nproc,
            m.cpu_model,
            m.mem_total_kib / 1024,
            m.kernel,
            m.dovecot,
            m.loadavg_at_start
        );
        println!(
            "corpus: {} messages in alice's INBOX, seeded in {:.1} s; {} runs each, alternating",
            self.messages, self.seeding_s, self.runs
        );
        println!("priming (untimed in the table; both sides then see the same warm index/cache):");
        for (k, v) in &self.priming {
            println!("  {k:<58} {v:>9.3} s");
        }
        println!();
        let w = self
            .figures
            .iter()
            .map(|f| f.name.len() + f.unit.len() + 3)
            .max()
            .unwrap_or(20)
            .max(30);
        println!("{:<w$} {:>10} {:>21}", "figure", "median", "min – max");
        println!("{}", "-".repeat(w + 33));
        for f in &self.figures {
            let name = format!("{} ({})", f.name, f.unit);
            println!(
                "{name:<w$} {:>10} {:>21}",
                fmt(f.median),
                format!("{} – {}", fmt(f.min), fmt(f.max))
            );
        }
        for r in &self.ratios {
            println!(
                "{:<w$} {:>10} {:>21}",
                r.name,
                format!("{:.2}x", r.median),
                format!("{:.2}x – {:.2}x", r.min, r.max)
            );
        }
        println!("{}", "-".repeat(w + 33));
        for (k, v) in &self.single {
            println!("{k:<w$} {:>10}", fmt(*v));
        }
        if !self.notes.is_empty() {
            println!();
            for n in &self.notes {
                println!("note: {n}");
            }
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
    fn medians() {
        assert_eq!(Figure::new("a", "s", vec![3.0, 1.0, 2.0]).median, 2.0);
        assert_eq!(Figure::new("a", "s", vec![4.0, 1.0, 2.0, 3.0]).median, 2.5);
        let r = Ratio::of(
            "r",
            &Figure::new("t", "s", vec![2.0, 4.0]),
            &Figure::new("r", "s", vec![1.0, 1.0]),
        );
        assert_eq!((r.min, r.max, r.median), (2.0, 4.0, 3.0));
    }
}
