//! Searching the cache: a parsed query becomes one FTS5 MATCH expression for its text terms
//! plus SQL conditions for flags, dates and folders, ranked by relevance (bm25) times a
//! recency boost; the page's hits then get their highlighted subject and snippet.

use super::query::{Field, Kind, Query};
use super::{SearchHit, Source};
use crate::error::Result;
use crate::folder::{FolderId, Role};
use crate::message::MessageId;
use crate::store::Store;
use rusqlite::types::Value;
use rusqlite::OptionalExtension;

/// The message's date as the list shows it: the Date header, INTERNALDATE when missing.
const DATE: &str = "(CASE WHEN m.date <> 0 THEN m.date ELSE m.internal_date END)";

/// bm25 weights per column: sender, recipients, cc, subject, body, attachments. A word in
/// the subject or from the sender says more about a message than one deep in its body.
const WEIGHTS: &str = "4.0, 2.0, 1.5, 6.0, 1.0, 3.0";

/// Recency: bm25 (negative, lower is better) is multiplied by 1 + 2 / (1 + age / week), so
/// today's mail counts three times, a week-old message twice, a year-old one about 1.04.
/// Relevance still wins over large gaps; among similar matches the newer comes first.
const RECENCY_SECS: f64 = 7.0 * 86_400.0;

/// What a query asks of SQLite.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Plan {
    /// FTS5 expression of the text terms, negated ones as `NOT`; `None` if none is positive.
    pub matches: Option<String>,
    /// FTS5 expression of negated text terms when no text term is positive.
    pub excludes: Option<String>,
    /// SQL conditions on `messages m`, each with its `?` parameters in order.
    pub conditions: Vec<(String, Vec<Value>)>,
}

/// A phrase for FTS5: quoted, so operators and punctuation in it are plain text; the
/// tokenizer (unicode61, case- and accent-folding) splits it as it split the mail.
fn phrase(text: &str, prefix: bool) -> String {
    let q = format!("\"{}\"", text.replace('"', "\"\""));
    if prefix {
        q + "*"
    } else {
        q
    }
}

fn fts_term(field: Field, text: &str, prefix: bool) -> String {
    let p = phrase(text, prefix);
    match field {
        Field::Any => p,
        Field::From => format!("sender : {p}"),
        Field::To => format!("recipients : {p}"),
        Field::Cc => format!("cc : {p}"),
        Field::Subject => format!("subject : {p}"),
    }
}

/// Turns a query into a plan. `folders` resolves `in:` and `account:` terms.
pub(crate) fn plan(
    q: &Query,
    folders: &dyn Fn(&Kind) -> Vec<FolderId>,
    scope: Option<FolderId>,
) -> Plan {
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    let mut conditions: Vec<(String, Vec<Value>)> = Vec::new();
    let mut cond = |sql: &str, params: Vec<Value>| conditions.push((sql.to_string(), params));
    if let Some(f) = scope {
        cond("m.folder_id = ?", vec![Value::Integer(f)]);
    }
    for t in &q.terms {
        let (yes, no) = (!t.negated, t.negated);
        match &t.kind {
            Kind::Text {
                field,
                text,
                prefix,
            } => {
                let e = fts_term(*field, text, *prefix);
                if no {
                    negative.push(e);
                } else {
                    positive.push(e);
                }
            }
            Kind::HasAttachment if yes => cond("m.has_attachments <> 0", vec![]),
            Kind::HasAttachment => cond("m.has_attachments = 0", vec![]),
            Kind::Unread | Kind::Read => {
                // is:unread and -is:read ask for the same messages.
                let unread = matches!(t.kind, Kind::Unread) != no;
                let op = if unread { "=" } else { "<>" };
                cond(&format!("(m.flags & 1) {op} 0"), vec![]);
            }
            Kind::Starred if yes => cond("(m.flags & 4) <> 0", vec![]),
            Kind::Starred => cond("(m.flags & 4) = 0", vec![]),
            Kind::Before(at) | Kind::After(at) => {
                let before = matches!(t.kind, Kind::Before(_)) != no;
                let op = if before { "<" } else { ">=" };
                cond(&format!("{DATE} {op} ?"), vec![Value::Integer(*at)]);
            }
            Kind::In(_) | Kind::Account(_) => {
                let ids = folders(&t.kind);
                let list = ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                match (no, ids.is_empty()) {
                    // Nothing by that name: nothing can be in it.
                    (false, true) => cond("0", vec![]),
                    (false, false) => cond(&format!("m.folder_id IN ({list})"), vec![]),
                    (true, true) => {}
                    (true, false) => cond(&format!("m.folder_id NOT IN ({list})"), vec![]),
                }
            }
        }
    }
    // FTS5 has implicit AND between phrases only, not between groups: spell it out.
    let group = |v: &[String]| {
        v.iter()
            .map(|e| format!("({e})"))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let (matches, excludes) = match (positive.is_empty(), negative.is_empty()) {
        (true, true) => (None, None),
        (true, false) => (None, Some(negative.join(" OR "))),
        (false, true) => (Some(group(&positive)), None),
        (false, false) => {
            let not = negative
                .iter()
                .map(|e| format!(" NOT ({e})"))
                .collect::<String>();
            (Some(format!("({}){not}", group(&positive))), None)
        }
    };
    Plan {
        matches,
        excludes,
        conditions,
    }
}

/// What a query's SQL returns: a ranked page of ids, or how many match.
enum Shape {
    Page { now: i64, offset: u32, limit: u32 },
    Count,
}

/// The SQL for a plan and its parameters in order.
fn sql(p: &Plan, shape: &Shape) -> (String, Vec<Value>) {
    let mut params: Vec<Value> = Vec::new();
    let mut conds = String::new();
    if let Some(m) = &p.matches {
        params.push(Value::Text(m.clone()));
    }
    for (sql, ps) in &p.conditions {
        conds += " AND ";
        conds += sql;
        params.extend(ps.iter().cloned());
    }
    let (select, tail) = match shape {
        Shape::Count => ("count(*)", String::new()),
        Shape::Page { .. } if p.matches.is_some() => (
            "m.id",
            format!(
                " ORDER BY bm25(search_index, {WEIGHTS})
                   * (1.0 + 2.0 / (1.0 + max(? - {DATE}, 0) / {RECENCY_SECS:.1})),
                   {DATE} DESC, m.id DESC LIMIT ? OFFSET ?"
            ),
        ),
        Shape::Page { .. } => (
            "m.id",
            format!(" ORDER BY {DATE} DESC, m.id DESC LIMIT ? OFFSET ?"),
        ),
    };
    let sql = if p.matches.is_some() {
        format!(
            "SELECT {select} FROM search_index CROSS JOIN messages m ON m.id = search_index.rowid
             WHERE search_index MATCH ?{conds}{tail}"
        )
    } else {
        let mut excl = "";
        if let Some(e) = &p.excludes {
            excl = " AND m.id NOT IN (SELECT rowid FROM search_index WHERE search_index MATCH ?)";
            params.push(Value::Text(e.clone()));
        }
        format!("SELECT {select} FROM messages m WHERE 1{conds}{excl}{tail}")
    };
    if let Shape::Page { now, offset, limit } = *shape {
        if p.matches.is_some() {
            params.push(Value::Real(now as f64));
        }
        params.push(Value::Integer(limit.into()));
        params.push(Value::Integer(offset.into()));
    }
    (sql, params)
}

impl Store {
    /// The plan of a query, with its `in:` and `account:` terms resolved to folders. Indexes
    /// a short search queue first, so mail that just arrived is found.
    fn plan_for(&self, q: &Query, scope: Option<FolderId>) -> Result<Plan> {
        self.catch_up_search_index_if_short()?;
        let mut resolved = Vec::new();
        for t in &q.terms {
            if matches!(t.kind, Kind::In(_) | Kind::Account(_)) {
                resolved.push((t.kind.clone(), self.folders_named(&t.kind)?));
            }
        }
        let lookup = |k: &Kind| {
            resolved
                .iter()
                .find(|(kind, _)| kind == k)
                .map(|(_, ids)| ids.clone())
                .unwrap_or_default()
        };
        Ok(plan(q, &lookup, scope))
    }

    /// How many messages match `q` (in `scope` if given).
    pub fn search_count(&self, q: &Query, scope: Option<FolderId>) -> Result<u64> {
        if q.is_empty() {
            return Ok(0);
        }
        let p = self.plan_for(q, scope)?;
        let (sql, params) = sql(&p, &Shape::Count);
        self.read(|c| {
            c.prepare_cached(&sql)?
                .query_row(rusqlite::params_from_iter(params), |r| r.get(0))
        })
    }

    /// Messages matching `q` (in `scope` if given), best first: relevance and recency for
    /// text queries, newest first for filters alone. `now` is Unix seconds.
    pub fn search(
        &self,
        q: &Query,
        scope: Option<FolderId>,
        now: i64,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<SearchHit>> {
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let p = self.plan_for(q, scope)?;
        let (sql, params) = sql(&p, &Shape::Page { now, offset, limit });
        let ids = self.read(|c| {
            let mut s = c.prepare_cached(&sql)?;
            let rows = s
                .query_map(rusqlite::params_from_iter(params), |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<MessageId>>>();
            rows
        })?;
        let mut hits: Vec<SearchHit> = self
            .summaries(&ids)?
            .into_iter()
            .map(|m| SearchHit::plain(m, Source::Local))
            .collect();
        if let Some(m) = &p.matches {
            self.read(|c| {
                let mut s = c.prepare_cached(
                    "SELECT highlight(search_index, 3, char(2), char(3)),
                            snippet(search_index, 4, char(2), char(3), '…', 24)
                     FROM search_index WHERE search_index MATCH ?1 AND rowid = ?2",
                )?;
                for h in &mut hits {
                    let marked: Option<(String, String)> = s
                        .query_row(rusqlite::params![m, h.message.id], |r| {
                            Ok((r.get(0)?, r.get(1)?))
                        })
                        .optional()?;
                    if let Some((subject, snippet)) = marked {
                        h.highlighted_subject = subject;
                        // One line for the list: line breaks and runs of spaces collapse.
                        let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
                        if !snippet.is_empty() {
                            h.highlighted_snippet = snippet;
                        }
                    }
                }
                Ok(())
            })?;
        }
        Ok(hits)
    }

    /// Folders an `in:` term names (by server name, display name, last path component or
    /// role, ignoring case) in every account, or all folders of an `account:` term's account.
    pub fn folders_named(&self, kind: &Kind) -> Result<Vec<FolderId>> {
        let mut out = Vec::new();
        for a in self.accounts()? {
            let folders = self.folders(a.id)?;
            match kind {
                Kind::In(name) => out.extend(
                    folders
                        .iter()
                        .filter(|f| {
                            f.name.eq_ignore_ascii_case(name)
                                || f.display_name.to_lowercase() == name.to_lowercase()
                                || f.leaf_name().to_lowercase() == name.to_lowercase()
                                || (f.role != Role::None
                                    && f.role.as_str().eq_ignore_ascii_case(name))
                        })
                        .map(|f| f.id),
                ),
                Kind::Account(key)
                    if a.id.to_string() == *key || a.config.email.eq_ignore_ascii_case(key) =>
                {
                    out.extend(folders.iter().map(|f| f.id));
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// The cached messages among `uids` of a folder, each with whether its body is cached
    /// (for server search hits). UIDs the cache does not hold are left out.
    pub fn cached_uids(&self, folder: FolderId, uids: &[u32]) -> Result<Vec<(MessageId, bool)>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT m.id, b.message_id IS NOT NULL FROM messages m
                 LEFT JOIN bodies b ON b.message_id = m.id
                 WHERE m.folder_id = ?1 AND m.uid = ?2",
            )?;
            let mut out = Vec::with_capacity(uids.len());
            for uid in uids {
                if let Some(row) = s
                    .query_row(rusqlite::params![folder, uid], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?
                {
                    out.push(row);
                }
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
