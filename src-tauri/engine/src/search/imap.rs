//! The server fallback's half of the query language: terms as IMAP SEARCH keys (RFC 3501
//! §6.4.4). Folder and account terms choose which folders are searched instead; there is no
//! key for attachments, so that term is checked on the cached headers of the hits.

use super::query::{Field, Kind, Query};
use crate::imap::search::SearchArg;

/// A query as the server is asked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerQuery {
    pub args: Vec<SearchArg>,
    /// `has:attachment` (true) or `-has:attachment` (false), checked locally.
    pub attachment: Option<bool>,
}

/// Translates the server-side terms of `q`. An empty list means every message.
pub fn criteria(q: &Query) -> ServerQuery {
    let mut args = Vec::new();
    let mut attachment = None;
    let atom = |s: &str| SearchArg::Atom(s.to_string());
    for t in &q.terms {
        let mut key: Vec<SearchArg> = match &t.kind {
            // Substring matches on the server, so a word being typed needs nothing extra.
            Kind::Text { field, text, .. } => {
                let k = match field {
                    Field::Any => "TEXT",
                    Field::From => "FROM",
                    Field::To => "TO",
                    Field::Cc => "CC",
                    Field::Subject => "SUBJECT",
                };
                vec![atom(k), SearchArg::Text(text.clone())]
            }
            Kind::Unread => vec![atom("UNSEEN")],
            Kind::Read => vec![atom("SEEN")],
            Kind::Starred => vec![atom("FLAGGED")],
            // The Date header's day, as the local search compares (RFC 3501 §6.4.4 SENT*).
            Kind::Before(at) => vec![atom("SENTBEFORE"), atom(&imap_date(*at))],
            Kind::After(at) => vec![atom("SENTSINCE"), atom(&imap_date(*at))],
            Kind::HasAttachment => {
                attachment = Some(!t.negated);
                continue;
            }
            Kind::In(_) | Kind::Account(_) => continue,
        };
        if t.negated {
            args.push(atom("NOT"));
        }
        args.append(&mut key);
    }
    ServerQuery { args, attachment }
}

/// `date = date-day "-" date-month "-" date-year` (RFC 3501 §9) of a Unix time, in UTC.
pub fn imap_date(at: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // Inverse of days_from_civil (H. Hinnant's civil_from_days).
    let z = at.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{d}-{}-{y}", MONTHS[(m - 1) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::parse;

    fn atoms(q: &str) -> Vec<String> {
        criteria(&parse(q).unwrap())
            .args
            .into_iter()
            .map(|a| match a {
                SearchArg::Atom(s) => s,
                SearchArg::Text(s) => format!("<{s}>"),
            })
            .collect()
    }

    #[test]
    fn terms_become_search_keys() {
        assert_eq!(
            atoms("from:alice to:bob cc:carol subject:\"q3 plan\" budget -draft"),
            [
                "FROM",
                "<alice>",
                "TO",
                "<bob>",
                "CC",
                "<carol>",
                "SUBJECT",
                "<q3 plan>",
                "TEXT",
                "<budget>",
                "NOT",
                "TEXT",
                "<draft>",
            ]
        );
        assert_eq!(
            atoms("is:unread -is:starred is:read after:2025-11-03 before:2024-02-29"),
            [
                "UNSEEN",
                "NOT",
                "FLAGGED",
                "SEEN",
                "SENTSINCE",
                "3-Nov-2025",
                "SENTBEFORE",
                "29-Feb-2024",
            ]
        );
        let q = criteria(&parse("-has:attachment in:sent account:1 café").unwrap());
        assert_eq!(q.attachment, Some(false));
        assert_eq!(
            q.args,
            vec![
                SearchArg::Atom("TEXT".into()),
                SearchArg::Text("café".into())
            ]
        );
    }

    #[test]
    fn dates_in_imap_form() {
        assert_eq!(imap_date(0), "1-Jan-1970");
        assert_eq!(imap_date(1_709_164_800), "29-Feb-2024");
        assert_eq!(imap_date(1_762_128_000 + 3600), "3-Nov-2025");
        assert_eq!(imap_date(-1), "31-Dec-1969");
    }
}
