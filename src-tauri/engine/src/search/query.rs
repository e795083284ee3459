//! The search box's query language, parsed into terms that are all required (AND).
//!
//! ```text
//! query    = *(SP) term *(1*SP term) *(SP)
//! term     = ["-"] (operator / phrase / word)           ; "-" negates
//! operator = key ":" (phrase / word)
//! key      = "from" / "to" / "cc" / "subject"           ; text in that field
//!          / "has"                                       ; has:attachment
//!          / "is"                                        ; is:unread, is:read, is:starred
//!          / "before" / "after"                          ; YYYY-MM-DD (UTC days)
//!          / "in"                                        ; folder name, display name or role
//!          / "account"                                   ; account email or id
//! phrase   = DQUOTE *(any but DQUOTE) [DQUOTE]          ; unterminated runs to the end
//! word     = 1*(any but SP)
//! ```
//!
//! Keys are case-insensitive; an unknown key (`re:`, `http://`) is ordinary text. An
//! operator with an empty value (`from:` while typing) is ignored. The last term matches as
//! a prefix while it is still being typed: a bare word or an unterminated phrase with no
//! space after it, not negated.

use std::fmt;

/// Where a text term must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Anywhere: people, subject, body, attachment names.
    Any,
    From,
    To,
    Cc,
    Subject,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Words that must appear next to each other, in this order.
    Text {
        field: Field,
        text: String,
        /// The last word may be the start of a longer one (typing in progress).
        prefix: bool,
    },
    HasAttachment,
    Unread,
    Read,
    Starred,
    /// Dated before this instant (Unix seconds, 00:00 UTC of the given day).
    Before(i64),
    /// Dated at or after this instant (Unix seconds, 00:00 UTC of the given day).
    After(i64),
    /// In a folder by name, display name or role, in any account.
    In(String),
    /// In an account by email address or id.
    Account(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub negated: bool,
    pub kind: Kind,
}

/// A parsed query: every term must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
}

/// A query that cannot mean anything, with a sentence saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether any term needs the full-text index.
    pub fn has_text(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t.kind, Kind::Text { .. }))
    }
}

/// One lexical token: an optional key, the value, and how it ended.
struct Token {
    negated: bool,
    key: Option<String>,
    value: String,
    /// A quoted value whose closing quote is missing.
    open_quote: bool,
    quoted: bool,
    /// Nothing (not even a space) follows it.
    at_end: bool,
}

const KEYS: &[&str] = &[
    "from", "to", "cc", "subject", "has", "is", "before", "after", "in", "account",
];

/// Parses a query. Text that has no letters or digits (`-`, `"…"`) is dropped.
pub fn parse(input: &str) -> Result<Query, ParseError> {
    let mut terms = Vec::new();
    for tok in lex(input) {
        let prefix_ok = tok.at_end && !tok.negated && (!tok.quoted || tok.open_quote);
        let text = |field| Kind::Text {
            field,
            text: tok.value.clone(),
            prefix: prefix_ok,
        };
        let kind = match tok.key.as_deref() {
            None => text(Field::Any),
            Some("from") => text(Field::From),
            Some("to") => text(Field::To),
            Some("cc") => text(Field::Cc),
            Some("subject") => text(Field::Subject),
            Some("has") => match tok.value.to_lowercase().as_str() {
                "attachment" | "attachments" => Kind::HasAttachment,
                v => return Err(ParseError(format!("Unknown has:{v} (try has:attachment)"))),
            },
            Some("is") => match tok.value.to_lowercase().as_str() {
                "unread" => Kind::Unread,
                "read" => Kind::Read,
                "starred" | "flagged" => Kind::Starred,
                v => {
                    return Err(ParseError(format!(
                        "Unknown is:{v} (try is:unread, is:read or is:starred)"
                    )))
                }
            },
            Some("before") => Kind::Before(day(&tok.value)?),
            Some("after") => Kind::After(day(&tok.value)?),
            Some("in") => Kind::In(tok.value.clone()),
            Some("account") => Kind::Account(tok.value.clone()),
            Some(_) => text(Field::Any),
        };
        if let Kind::Text { text, .. } = &kind {
            if !text.chars().any(char::is_alphanumeric) {
                continue;
            }
        }
        terms.push(Term {
            negated: tok.negated,
            kind,
        });
    }
    Ok(Query { terms })
}

fn lex(input: &str) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut negated = false;
        if chars[i] == '-' && chars.get(i + 1).is_some_and(|c| !c.is_whitespace()) {
            negated = true;
            i += 1;
        }
        // A key is letters up to ':' (`from:`), and only a known one counts.
        let mut key = None;
        if chars[i] != '"' {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_alphabetic() {
                j += 1;
            }
            if j < chars.len() && chars[j] == ':' {
                let k: String = chars[i..j].iter().collect::<String>().to_lowercase();
                if KEYS.contains(&k.as_str()) {
                    key = Some(k);
                    i = j + 1;
                }
            }
        }
        let (value, quoted, open_quote);
        if i < chars.len() && chars[i] == '"' {
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && chars[j] != '"' {
                j += 1;
            }
            value = chars[start..j].iter().collect::<String>();
            quoted = true;
            open_quote = j >= chars.len();
            i = (j + 1).min(chars.len());
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            value = chars[start..i].iter().collect::<String>();
            quoted = false;
            open_quote = false;
        }
        let at_end = i >= chars.len();
        let value = value.trim().to_string();
        if value.is_empty() {
            // `from:` or `""` while typing: nothing to look for yet.
            continue;
        }
        out.push(Token {
            negated,
            key,
            value,
            open_quote,
            quoted,
            at_end,
        });
    }
    out
}

/// 00:00 UTC of `YYYY-MM-DD` (or `YYYY/MM/DD`) as Unix seconds.
fn day(s: &str) -> Result<i64, ParseError> {
    let bad = || ParseError(format!("'{s}' is not a date; write it as YYYY-MM-DD"));
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let y: i64 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    let d: u32 = d.parse().map_err(|_| bad())?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(1..=days_in).contains(&d) || !(1..=9999).contains(&y) {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d) * 86_400)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
