//! Issue 8's targets as checks on the measured figures: each prints its ratio and whether
//! it is met.

use crate::report::{Check, Figure};

fn v(x: f64, unit: &str) -> String {
    if unit == "s" {
        format!("{x:.3} s")
    } else if unit == "ms" {
        format!("{x:.1} ms")
    } else {
        format!("{x:.1} {unit}")
    }
}

/// Tern's median at most `max` times the reference's.
pub fn at_most_times(target: &str, tern: &Figure, reference: &Figure, max: f64) -> Check {
    let ratio = tern.median / reference.median;
    versus(target, tern, reference, ratio, ratio <= max)
}

/// Tern's median at least `min` times faster than the reference's (ratio = reference / Tern).
pub fn faster_by(target: &str, tern: &Figure, reference: &Figure, min: f64) -> Check {
    let ratio = reference.median / tern.median;
    versus(target, tern, reference, ratio, ratio >= min)
}

/// A check of Tern's median against the reference's.
fn versus(target: &str, tern: &Figure, reference: &Figure, ratio: f64, met: bool) -> Check {
    Check {
        target: target.into(),
        measured: format!(
            "{} vs {} {}",
            v(tern.median, &tern.unit),
            v(reference.median, &reference.unit),
            reference.name
        ),
        ratio,
        met: known(ratio).then_some(met),
    }
}

/// A statistic of Tern's under a limit (ratio = value / limit).
pub fn below(target: &str, what: &str, value: f64, unit: &str, limit: f64) -> Check {
    let ratio = value / limit;
    Check {
        target: target.into(),
        measured: format!("{what} {} (limit {})", v(value, unit), v(limit, unit)),
        ratio,
        met: known(ratio).then_some(value < limit),
    }
}

/// Tern's median and p95 no more than `slack` above the reference's (ratio = the larger excess
/// over the slack).
pub fn within(target: &str, tern: &Figure, reference: &Figure, slack: f64) -> Check {
    let d50 = tern.median - reference.median;
    let d95 = tern.p95 - reference.p95;
    let worst = d50.max(d95);
    let ratio = worst / slack;
    Check {
        target: target.into(),
        measured: format!(
            "p50 {} vs {} ({:+.1}), p95 {} vs {} ({:+.1})",
            v(tern.median, &tern.unit),
            v(reference.median, &reference.unit),
            d50,
            v(tern.p95, &tern.unit),
            v(reference.p95, &reference.unit),
            d95
        ),
        ratio,
        met: known(ratio).then_some(worst <= slack),
    }
}

/// A target this run did not measure (with why).
pub fn not_measured(target: &str, why: &str) -> Check {
    Check {
        target: target.into(),
        measured: why.into(),
        ratio: f64::NAN,
        met: None,
    }
}

fn known(x: f64) -> bool {
    x.is_finite()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        let f = |m: f64| Figure::new("x", "s", vec![m]);
        assert_eq!(at_most_times("t", &f(1.4), &f(1.0), 1.5).met, Some(true));
        assert_eq!(at_most_times("t", &f(1.6), &f(1.0), 1.5).met, Some(false));
        assert_eq!(faster_by("t", &f(0.05), &f(1.5), 20.0).met, Some(true));
        assert_eq!(faster_by("t", &f(0.1), &f(1.5), 20.0).met, Some(false));
        assert_eq!(below("t", "p95", 29.0, "ms", 30.0).met, Some(true));
        assert_eq!(within("t", &f(550.0), &f(460.0), 100.0).met, Some(true));
        assert_eq!(within("t", &f(570.0), &f(460.0), 100.0).met, Some(false));
        assert_eq!(not_measured("t", "no").met, None);
    }
}
