//! Address autocomplete from the cache: everyone seen as sender or recipient, ranked by how
//! often and how recently, with the people the user wrote to first.

use crate::engine::Engine;
use crate::error::Result;
use crate::message::Address;
use serde::Serialize;
use std::collections::HashMap;

/// A suggested address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub address: Address,
    /// How often it was seen (mail the user sent counts more).
    pub score: f64,
}

/// How many recent messages are looked at.
const WINDOW: u32 = 20_000;

/// Folds case and the common Latin accents, for matching "jose" to "José".
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(|c| c.to_lowercase())
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
            'ý' | 'ÿ' => 'y',
            'ś' | 'š' => 's',
            'ź' | 'ż' | 'ž' => 'z',
            'ł' => 'l',
            'ř' => 'r',
            'ť' => 't',
            'ď' => 'd',
            'ß' => 's',
            c => c,
        })
        .collect()
}

/// Whether `prefix` (folded) starts the email, its local part, the name or a word of it.
pub fn matches(a: &Address, prefix: &str) -> bool {
    let p = fold(prefix.trim());
    if p.is_empty() {
        return true;
    }
    let email = fold(&a.email);
    let name = fold(&a.name);
    email.starts_with(&p)
        || name.starts_with(&p)
        || name.split_whitespace().any(|w| w.starts_with(&p))
        || email.split(['.', '_', '-', '@']).any(|w| w.starts_with(&p))
}

/// Ranks sightings: (address, unix date, sent by the user). Recent and sent-to count more.
pub fn rank(
    sightings: &[(Address, i64, bool)],
    prefix: &str,
    now: i64,
    limit: usize,
) -> Vec<Suggestion> {
    let mut by: HashMap<String, (Address, f64, i64)> = HashMap::new();
    for (a, date, sent) in sightings {
        if a.email.is_empty() || !matches(a, prefix) {
            continue;
        }
        let age_days = ((now - date).max(0) as f64) / 86_400.0;
        // Half the weight per 90 days; mail the user wrote counts three times.
        let w = 0.5f64.powf(age_days / 90.0) * if *sent { 3.0 } else { 1.0 };
        let e = by
            .entry(a.email.to_ascii_lowercase())
            .or_insert_with(|| (a.clone(), 0.0, i64::MIN));
        e.1 += w;
        // The most recent non-empty display name wins.
        if *date >= e.2 && !a.name.is_empty() {
            e.0.name = a.name.clone();
            e.2 = *date;
        }
    }
    let mut v: Vec<Suggestion> = by
        .into_values()
        .map(|(address, score, _)| Suggestion { address, score })
        .collect();
    v.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.address.email.cmp(&b.address.email))
    });
    v.truncate(limit);
    v
}

impl Engine {
    /// Addresses starting with `prefix` (name, a word of it, or the email; case and accents
    /// ignored), best first: frequent and recent correspondents, and those the user wrote to.
    pub fn suggest_addresses(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
        let own: Vec<String> = self
            .accounts()?
            .into_iter()
            .map(|a| a.config.email.to_ascii_lowercase())
            .collect();
        let rows: Vec<(String, String, String, String, i64, bool)> = self.store().read(|c| {
            let mut st = c.prepare(
                "SELECT m.from_name, m.from_email, m.to_json, m.cc_json, m.date, f.role = 'sent'
                 FROM messages m JOIN folders f ON f.id = m.folder_id
                 ORDER BY m.date DESC LIMIT ?1",
            )?;
            let rows = st.query_map([WINDOW], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?;
            rows.collect()
        })?;
        let mut sightings = Vec::new();
        for (name, email, to, cc, date, in_sent) in rows {
            let from_me = in_sent || own.contains(&email.to_ascii_lowercase());
            sightings.push((Address { name, email }, date, false));
            for list in [to, cc] {
                let v: Vec<Address> = serde_json::from_str(&list).unwrap_or_default();
                sightings.extend(v.into_iter().map(|a| (a, date, from_me)));
            }
        }
        sightings.retain(|(a, _, _)| !own.contains(&a.email.to_ascii_lowercase()));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        Ok(rank(&sightings, prefix, now, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(name: &str, email: &str) -> Address {
        Address {
            name: name.into(),
            email: email.into(),
        }
    }

    #[test]
    fn prefix_ignores_case_and_accents() {
        assert!(matches(&a("José Müller", "jm@x.org"), "jose"));
        assert!(matches(&a("José Müller", "jm@x.org"), "MUL"));
        assert!(matches(&a("", "anna.smith@x.org"), "smi"));
        assert!(!matches(&a("Bob", "bob@x.org"), "al"));
    }

    #[test]
    fn sent_to_and_recent_rank_first() {
        let now = 1_000 * 86_400;
        let s = vec![
            (a("Ann Old", "ann.old@x.org"), now - 400 * 86_400, false),
            (a("Ann Old", "ann.old@x.org"), now - 400 * 86_400, false),
            (a("Ann New", "ann.new@x.org"), now - 86_400, false),
            (a("Anna Sent", "anna@x.org"), now - 10 * 86_400, true),
        ];
        let r = rank(&s, "an", now, 10);
        let order: Vec<_> = r.iter().map(|x| x.address.email.as_str()).collect();
        assert_eq!(order, ["anna@x.org", "ann.new@x.org", "ann.old@x.org"]);
        assert_eq!(rank(&s, "an", now, 1).len(), 1);
    }
}
