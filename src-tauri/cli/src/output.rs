//! Printing for people or, with `--json`, for scripts.

use serde::Serialize;
use std::io::Write;

/// Writes a line to stdout; a closed pipe (`tern list | head`) ends the program quietly.
fn say(s: &str) {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{s}").and_then(|_| out.flush()).is_err() {
        std::process::exit(0);
    }
}

pub struct Out {
    pub json: bool,
}

impl Out {
    /// Prints `value` as one JSON document, or `text` for people.
    pub fn emit<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(s) => say(&s),
                Err(e) => eprintln!("tern: cannot encode output: {e}"),
            }
        } else {
            let t = text();
            if !t.is_empty() {
                say(&t);
            }
        }
    }

    /// Prints one JSON object per line (for streams such as `watch`), or `text`.
    pub fn line<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            if let Ok(s) = serde_json::to_string(value) {
                say(&s);
            }
        } else {
            say(&text());
        }
    }
}

/// Reports an error with its kind, so scripts can branch on it.
pub fn error(e: &anyhow::Error, json: bool) {
    let err = match e.downcast_ref::<tern_engine::Error>() {
        Some(x) => x.clone(),
        None => tern_engine::Error::from_anyhow(anyhow::anyhow!("{e:#}")),
    };
    if json {
        let v = serde_json::json!({ "error": err });
        eprintln!("{v}");
    } else {
        eprintln!("tern: {} error: {}", kind_word(err.kind), err.message);
    }
}

fn kind_word(k: tern_engine::ErrorKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// "12 KB" style sizes.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// A Unix time as `YYYY-MM-DD HH:MM` UTC, without pulling in a date crate.
pub fn date(ts: i64) -> String {
    let days = ts.div_euclid(86400);
    let secs = ts.rem_euclid(86400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        secs / 3600,
        (secs % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_sizes() {
        assert_eq!(date(0), "1970-01-01 00:00");
        assert_eq!(date(1751364000), "2025-07-01 10:00");
        assert_eq!(date(951782400), "2000-02-29 00:00");
        assert_eq!(size(512), "512 B");
        assert_eq!(size(4096), "4 KB");
    }
}
