//! Searching the cache: a parsed query becomes one FTS5 MATCH expression for its text terms
//! (with folder and attachment filters as facets of the same index) plus SQL conditions for
//! flags and dates. Text queries are ranked by relevance (bm25, search/rank.rs) times a
//! recency boost; the page's hits then get their highlighted subject and snippet
//! (search/marks.rs).
//!
//! The index's rowids are keys in date order (store/fulltext.rs), so FTS5 yields matches
//! newest first and stops when asked to. A text query ranks only the newest [`RANKED`]
//! matches: a common word matches most of a mailbox, and ranking 70,000 matches to show 50
//! took half a second. Its results are those, best first, then every older match, newest
//! first. A query with fewer matches ranks all of them.

use super::marks;
use super::query::{Field, Kind, Query};
use super::rank;
use super::words::{self, Words};
use super::{SearchHit, Source};
use crate::error::Result;
use crate::folder::{FolderId, Role};
use crate::message::MessageId;
use crate::store::Store;
use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use std::collections::HashSet;

/// The message's date as the list shows it: the Date header, INTERNALDATE when missing.
const DATE: &str = "(CASE WHEN m.date <> 0 THEN m.date ELSE m.internal_date END)";

/// The body's bit in `tern_columns` (search/rank.rs).
const BODY: i64 = 1 << 4;

/// How many of a text query's newest matches are ranked by relevance.
pub(crate) const RANKED: u32 = 500;

/// Begins every facet token in the index ('\u{E000}folder12', '\u{E000}attachment'). It is
/// a letter to the tokenizer (Unicode private use, category Co) but dropped from what users
/// type, so no text term can match a facet and text terms need no column filter (which
/// doubled the cost of a common word in FTS5).
pub(crate) const FACET: char = '\u{E000}';

/// Recency: relevance is multiplied by 1 + 2 / (1 + age / week), so today's mail counts
/// three times, a week-old message twice, a year-old one about 1.04. Relevance still wins
/// over large gaps; among similar matches the newer comes first.
const RECENCY_SECS: f64 = 7.0 * 86_400.0;

/// What a query asks of SQLite.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Plan {
    /// FTS5 expression of the text terms, negated ones as `NOT`, with the folder and
    /// attachment terms as facets; `None` if no text term is positive.
    pub matches: Option<String>,
    /// Phrases of `matches` (bit i for the i-th) that ranking does not count documents for:
    /// facets, negated terms, field terms (`from:`...), and a lone text phrase (see
    /// search/rank.rs).
    pub uncounted: u64,
    /// How many documents hold the i-th phrase of `matches`, where known already (-1 where
    /// not); ranking counts the others itself.
    pub docs: Vec<i64>,
    /// FTS5 expression of negated text terms when no text term is positive.
    pub excludes: Option<String>,
    /// The lowest index key a match can have (`after:`; a key is never below the date).
    pub min_doc: Option<i64>,
    /// SQL conditions on `messages m`, each with its `?` parameters in order.
    pub conditions: Vec<(String, Vec<Value>)>,
    /// FTS5 expression of the positive phrases that can mark a subject or a body, joined by
    /// OR, for highlighting (search/marks.rs); `None` if there are none.
    pub marks: Option<String>,
    /// The words of the positive terms that can match a body, folded (search/marks.rs).
    pub words: Vec<Vec<char>>,
}

/// A phrase for FTS5: quoted, so operators and punctuation in it are plain text; the
/// tokenizer (unicode61, case- and accent-folding) splits it as it split the mail.
fn phrase(text: &str, prefix: bool) -> String {
    let q = format!("\"{}\"", text.replace('"', "\"\"").replace(FACET, ""));
    if prefix {
        q + "*"
    } else {
        q
    }
}

fn fts_term(field: Field, text: &str, prefix: bool) -> String {
    fts_term_of(field, &phrase(text, prefix))
}

/// An FTS5 expression `e` (a phrase or a parenthesized group) limited to a field's column.
fn fts_term_of(field: Field, e: &str) -> String {
    match field {
        Field::Any => e.to_string(),
        Field::From => format!("sender : {e}"),
        Field::To => format!("recipients : {e}"),
        Field::Cc => format!("cc : {e}"),
        Field::Subject => format!("subject : {e}"),
    }
}

/// The text to look for while a word is being typed. Its one first letter of an alphabet
/// (Latin, Greek, Cyrillic, ...) would match a word in nearly every message, and FTS5 has to
/// merge the lists of every such word to know which (a third of a second on 100,000
/// messages): the letter does not narrow the search until the next one is typed. The rest of
/// the term, if any, is then complete words. `None` if nothing is left to look for.
fn typed(text: &str, prefix: bool) -> Option<(String, bool)> {
    if !prefix {
        return Some((text.to_string(), false));
    }
    let word_start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric())
        .last()
        .map(|(i, _)| i);
    let mut last = text[word_start.unwrap_or(text.len())..].chars();
    match (last.next(), last.next()) {
        (Some(c), None) if c.len_utf8() <= 2 => {
            let rest = &text[..word_start.unwrap_or(0)];
            rest.chars()
                .any(char::is_alphanumeric)
                .then(|| (rest.to_string(), false))
        }
        _ => Some((text.to_string(), true)),
    }
}

/// One part of the MATCH expression: its text and how many phrases it holds.
struct Piece {
    expr: String,
    phrases: u32,
    counted: bool,
    /// How many documents hold each phrase, when known (a prefix's words, search/words.rs).
    docs: Option<i64>,
    /// For a text term that can match a subject or body (no field, or `subject:`): its
    /// expression for highlighting (a prefix as a prefix, not as its words).
    marks: Option<String>,
}

/// A text term's piece: its phrase, or for a word being typed the words it may become.
fn text_piece(
    field: Field,
    text: &str,
    prefix: bool,
    negated: bool,
    completions: &dyn Fn(&str) -> Option<Words>,
) -> Piece {
    let native = fts_term(field, text, prefix);
    let marks = (matches!(field, Field::Any | Field::Subject) && !negated).then(|| native.clone());
    let mut piece = Piece {
        expr: native,
        phrases: 1,
        // A field's word is a filter more than a sign of relevance, and counting its
        // documents means reading every document with the word in any column (10 ms for
        // `subject:meeting` when "meeting" is in most bodies).
        counted: !negated && field == Field::Any,
        docs: None,
        marks,
    };
    if prefix && words::can_complete(text) {
        if let Some(words) = completions(text).filter(|w| !w.is_empty()) {
            let list = words
                .iter()
                .map(|(w, _)| phrase(w, false))
                .collect::<Vec<_>>()
                .join(" OR ");
            piece.expr = fts_term_of(field, &format!("({list})"));
            piece.phrases = words.len() as u32;
            // As one prefix phrase: every word weighs the same, as common as all together.
            piece.docs = Some(words.iter().map(|(_, n)| n).sum());
        }
    }
    piece
}

/// `facets : ("\u{E000}folder4" OR "\u{E000}folder9")`: in any of these folders.
fn in_folders(ids: &[FolderId]) -> Piece {
    let list = ids
        .iter()
        .map(|f| format!("\"{FACET}folder{f}\""))
        .collect::<Vec<_>>()
        .join(" OR ");
    Piece {
        expr: format!("facets : ({list})"),
        phrases: ids.len() as u32,
        counted: false,
        docs: None,
        marks: None,
    }
}

/// Turns a query into a plan. `folders` resolves `in:` and `account:` terms, `completions`
/// the words of the index a word being typed may become (search/words.rs; `None` to leave
/// the prefix to FTS5).
pub(crate) fn plan(
    q: &Query,
    folders: &dyn Fn(&Kind) -> Vec<FolderId>,
    completions: &dyn Fn(&str) -> Option<Words>,
    scope: Option<FolderId>,
) -> Plan {
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    let mut words = Vec::new();
    for t in &q.terms {
        if let Kind::Text {
            field,
            text,
            prefix,
        } = &t.kind
        {
            if let Some((text, prefix)) = typed(text, *prefix) {
                if *field == Field::Any && !t.negated {
                    words.extend(marks::words(&text));
                }
                let piece = text_piece(*field, &text, prefix, t.negated, completions);
                if t.negated {
                    negative.push(piece);
                } else {
                    positive.push(piece);
                }
            }
        }
    }
    // With text to match, folders and attachments are facets of the same index, so FTS5
    // intersects them (and counts them) without reading the messages table.
    let facets = !positive.is_empty();
    let mut conditions: Vec<(String, Vec<Value>)> = Vec::new();
    let mut cond = |sql: &str, params: Vec<Value>| conditions.push((sql.to_string(), params));
    let mut min_doc = None;
    if let Some(f) = scope {
        if facets {
            positive.push(in_folders(&[f]));
        } else {
            cond("m.folder_id = ?", vec![Value::Integer(f)]);
        }
    }
    for t in &q.terms {
        let (yes, no) = (!t.negated, t.negated);
        match &t.kind {
            Kind::Text { .. } => {}
            Kind::HasAttachment if facets => {
                let piece = Piece {
                    expr: format!("facets : \"{FACET}attachment\""),
                    phrases: 1,
                    counted: false,
                    docs: None,
                    marks: None,
                };
                if yes {
                    positive.push(piece);
                } else {
                    negative.push(piece);
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
                if !before {
                    min_doc = Some(min_doc.map_or(*at, |m: i64| m.max(*at)));
                }
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
                    (true, true) => {}
                    (false, false) if facets => positive.push(in_folders(&ids)),
                    (true, false) if facets => negative.push(in_folders(&ids)),
                    (false, false) => cond(&format!("m.folder_id IN ({list})"), vec![]),
                    (true, false) => cond(&format!("m.folder_id NOT IN ({list})"), vec![]),
                }
            }
        }
    }
    // FTS5 has implicit AND between phrases only, not between groups: spell it out. Phrases
    // are numbered in the order they appear: the positive pieces, then the negative ones.
    // One positive text phrase: its IDF is the same factor for every match, so ranking
    // need not count its documents (for a prefix, that is FTS5 merging all its words again).
    if positive.iter().filter(|p| p.counted).count() == 1 {
        positive.iter_mut().for_each(|p| p.counted = false);
    }
    let mut uncounted = 0u64;
    let mut docs = Vec::new();
    let mut n = 0u32;
    for p in positive.iter().chain(&negative) {
        for _ in 0..p.phrases {
            if !p.counted && n < 64 {
                uncounted |= 1 << n;
            }
            docs.push(p.docs.unwrap_or(-1));
            n += 1;
        }
    }
    // Only what ranking will read.
    while docs.last() == Some(&-1) {
        docs.pop();
    }
    let group = |v: &[Piece], sep: &str| {
        v.iter()
            .map(|p| format!("({})", p.expr))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let (matches, excludes) = match (positive.is_empty(), negative.is_empty()) {
        (true, true) => (None, None),
        (true, false) => (
            None,
            Some(
                negative
                    .iter()
                    .map(|p| p.expr.clone())
                    .collect::<Vec<_>>()
                    .join(" OR "),
            ),
        ),
        (false, true) => (Some(group(&positive, " AND ")), None),
        (false, false) => {
            let not = negative
                .iter()
                .map(|p| format!(" NOT ({})", p.expr))
                .collect::<String>();
            (Some(format!("({}){not}", group(&positive, " AND "))), None)
        }
    };
    let text = matches.is_some();
    let marked: Vec<String> = positive
        .iter()
        .filter_map(|p| p.marks.as_ref().map(|m| format!("({m})")))
        .collect();
    Plan {
        matches,
        uncounted: if text { uncounted } else { 0 },
        docs: if text { docs } else { Vec::new() },
        excludes,
        min_doc: if text { min_doc } else { None },
        conditions,
        marks: (!marked.is_empty()).then(|| marked.join(" OR ")),
        words,
    }
}

/// SQL over the matches of a plan with positive text: `FROM ... WHERE ...` and its
/// parameters. Messages are joined only when a condition needs them.
fn text_from(p: &Plan, matches: &str) -> (String, Vec<Value>) {
    let mut params = vec![Value::Text(matches.to_string())];
    let mut sql = String::from("FROM search_index s CROSS JOIN search_docs d ON d.doc = s.rowid");
    if !p.conditions.is_empty() {
        sql += " CROSS JOIN messages m ON m.id = d.message_id";
    }
    sql += " WHERE search_index MATCH ?";
    if let Some(min) = p.min_doc {
        sql += " AND s.rowid >= ?";
        params.push(Value::Integer(min));
    }
    for (c, ps) in &p.conditions {
        sql += " AND ";
        sql += c;
        params.extend(ps.iter().cloned());
    }
    (sql, params)
}

/// SQL over the messages a plan without positive text selects.
fn filter_from(p: &Plan) -> (String, Vec<Value>) {
    let mut params = Vec::new();
    let mut sql = String::from("FROM messages m WHERE 1");
    for (c, ps) in &p.conditions {
        sql += " AND ";
        sql += c;
        params.extend(ps.iter().cloned());
    }
    if let Some(e) = &p.excludes {
        sql += " AND m.id NOT IN (SELECT d.message_id FROM search_index s
                 JOIN search_docs d ON d.doc = s.rowid WHERE search_index MATCH ?)";
        params.push(Value::Text(e.clone()));
    }
    (sql, params)
}

/// The recency boost of a message dated `date` (seconds) at `now`.
fn recency(now: i64, date: i64) -> f64 {
    1.0 + 2.0 / (1.0 + (now.saturating_sub(date)).max(0) as f64 / RECENCY_SECS)
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
        // A folder filter naming every folder that holds mail filters nothing, but would still
        // be intersected with the matches (a third of a common word's cost): left out. (Mail
        // arriving meanwhile in another folder may slip in; the list re-queries on arrival.)
        let holding: HashSet<FolderId> = self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT id FROM folders WHERE EXISTS (SELECT 1 FROM messages WHERE folder_id = folders.id)",
            )?;
            let rows = s.query_map([], |r| r.get(0))?.collect();
            rows
        })?;
        let everything = |ids: &[FolderId]| holding.iter().all(|f| ids.contains(f));
        let scope = scope.filter(|f| !everything(&[*f]));
        let narrowed = Query {
            terms: q
                .terms
                .iter()
                .filter(|t| {
                    t.negated
                        || !matches!(t.kind, Kind::In(_) | Kind::Account(_))
                        || !everything(&lookup(&t.kind))
                })
                .cloned()
                .collect(),
        };
        let q = if narrowed.is_empty() { q } else { &narrowed };
        // The word being typed is looked up before planning (errors surface here).
        let mut found: Vec<(String, Option<Words>)> = Vec::new();
        for t in &q.terms {
            if let Kind::Text {
                text, prefix: true, ..
            } = &t.kind
            {
                if words::can_complete(text) {
                    found.push((text.clone(), self.completions(text)?));
                }
            }
        }
        let completions = |text: &str| {
            found
                .iter()
                .find(|(t, _)| t == text)
                .and_then(|(_, w)| w.clone())
        };
        Ok(plan(q, &lookup, &completions, scope))
    }

    /// How many messages match `q` (in `scope` if given).
    pub fn search_count(&self, q: &Query, scope: Option<FolderId>) -> Result<u64> {
        if q.is_empty() {
            return Ok(0);
        }
        let p = self.plan_for(q, scope)?;
        let (sql, params) = match &p.matches {
            // Every row of the index has its key: FTS5 alone counts.
            Some(m) if p.conditions.is_empty() => {
                let mut sql =
                    "SELECT count(*) FROM search_index WHERE search_index MATCH ?".to_string();
                let mut params = vec![Value::Text(m.clone())];
                if let Some(min) = p.min_doc {
                    sql += " AND rowid >= ?";
                    params.push(Value::Integer(min));
                }
                (sql, params)
            }
            Some(m) => {
                let (from, params) = text_from(&p, m);
                (format!("SELECT count(*) {from}"), params)
            }
            None => {
                let (from, params) = filter_from(&p);
                (format!("SELECT count(*) {from}"), params)
            }
        };
        self.read(|c| {
            c.prepare_cached(&sql)?
                .query_row(rusqlite::params_from_iter(params), |r| r.get(0))
        })
    }

    /// Messages matching `q` (in `scope` if given), best first: for text queries the newest
    /// [`RANKED`] matches by relevance and recency, then older matches newest first; newest
    /// first for filters alone. `now` is Unix seconds.
    pub fn search(
        &self,
        q: &Query,
        scope: Option<FolderId>,
        now: i64,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<SearchHit>> {
        if q.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let p = self.plan_for(q, scope)?;
        let page: Vec<(MessageId, bool)> = match &p.matches {
            Some(m) => self.text_page(&p, m, now, offset, limit)?,
            None => {
                let (from, mut params) = filter_from(&p);
                params.push(Value::Integer(limit.into()));
                params.push(Value::Integer(offset.into()));
                let sql =
                    format!("SELECT m.id {from} ORDER BY {DATE} DESC, m.id DESC LIMIT ? OFFSET ?");
                self.read(|c| {
                    let mut s = c.prepare_cached(&sql)?;
                    let rows = s
                        .query_map(rusqlite::params_from_iter(params), |r| {
                            Ok((r.get(0)?, false))
                        })?
                        .collect::<rusqlite::Result<Vec<_>>>();
                    rows
                })?
            }
        };
        let ids: Vec<MessageId> = page.iter().map(|(id, _)| *id).collect();
        let mut hits: Vec<SearchHit> = self
            .summaries(&ids)?
            .into_iter()
            .map(|m| SearchHit::plain(m, Source::Local))
            .collect();
        if let Some(m) = &p.marks {
            let marked = self.read(|c| marks::mark(c, m, &p.words, &page))?;
            for h in &mut hits {
                if let Some((subject, snippet)) = marked.get(&h.message.id) {
                    h.highlighted_subject = subject.clone();
                    // One line for the list: line breaks and runs of spaces collapse.
                    let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !snippet.is_empty() {
                        h.highlighted_snippet = snippet;
                    }
                }
            }
        }
        Ok(hits)
    }

    /// A page of a text query's matches: the newest [`RANKED`] ranked, then older ones by
    /// date. Each page ranks the same window, so pages agree with each other. With each
    /// message, whether its body matched.
    fn text_page(
        &self,
        p: &Plan,
        matches: &str,
        now: i64,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<(MessageId, bool)>> {
        let (from, params) = text_from(p, matches);
        let window_sql = format!(
            "SELECT s.rowid, d.message_id, {}(search_index, ?, ?), {}(search_index)
             {from} ORDER BY s.rowid DESC LIMIT ?",
            rank::NAME,
            rank::COLUMNS
        );
        let docs = serde_json::to_string(&p.docs).unwrap_or_else(|_| "[]".into());
        let mut window_params = vec![Value::Integer(p.uncounted as i64), Value::Text(docs)];
        window_params.extend(params.iter().cloned());
        window_params.push(Value::Integer(RANKED.into()));
        let mut window: Vec<(f64, i64, MessageId, i64)> = self.read(|c| {
            let mut s = c.prepare_cached(&window_sql)?;
            let rows = s
                .query_map(rusqlite::params_from_iter(window_params), |r| {
                    let doc: i64 = r.get(0)?;
                    let relevance: f64 = r.get(2)?;
                    // A key is its message's date (or a few seconds after it).
                    Ok((relevance * recency(now, doc), doc, r.get(1)?, r.get(3)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>();
            rows
        })?;
        window.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        let ranked = window.len();
        let end = (offset as usize).saturating_add(limit as usize);
        let mut page: Vec<(MessageId, bool)> = window
            .iter()
            .skip(offset as usize)
            .take(end.min(ranked).saturating_sub(offset as usize))
            .map(|w| (w.2, w.3 & BODY != 0))
            .collect();
        if ranked == RANKED as usize && end > ranked {
            // Past the ranked window: older matches, newest first.
            let from_row = (offset as usize).max(ranked);
            let tail_sql = format!(
                "SELECT d.message_id, {}(search_index) {from} ORDER BY s.rowid DESC LIMIT ? OFFSET ?",
                rank::COLUMNS
            );
            let mut tail_params = params;
            tail_params.push(Value::Integer((end - from_row) as i64));
            tail_params.push(Value::Integer(from_row as i64));
            page.extend(self.read(|c| {
                let mut s = c.prepare_cached(&tail_sql)?;
                let rows = s
                    .query_map(rusqlite::params_from_iter(tail_params), |r| {
                        Ok((r.get(0)?, r.get::<_, i64>(1)? & BODY != 0))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>();
                rows
            })?);
        }
        Ok(page)
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
