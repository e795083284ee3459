//! Highlighted subjects and snippets for the hits shown. The index keeps no copy of the text,
//! so FTS5's `highlight()` and `snippet()` cannot run on it; they run instead on a scratch
//! FTS5 table in the connection's temporary database that holds only the page's subjects and
//! an excerpt of each body around its first match, matched with the query's words. Same
//! tokenizer, same functions, so the same marks; indexing whole bodies for a page instead
//! (300 KB of text for 50 generated messages) cost 20 to 80 ms.
//!
//! The excerpt is found by a plain scan for the query's words, folded the way the index
//! folds Latin letters (case and accents). A word the scan cannot fold the same way (a rarer
//! script's accents) leaves the excerpt at the start of the body, where the snippet then
//! shows the body's start, without marks when the match is further on.

use super::{MARK_END, MARK_START};
use crate::message::MessageId;
use rusqlite::Connection;
use std::collections::HashMap;

/// The scratch table's text (only subject and body are filled) and the index over it, with
/// the search index's columns and tokenizer. External content, so emptying the index is one
/// 'delete-all' rather than re-tokenizing every row to delete it.
const SCRATCH: &str = "
    CREATE TABLE IF NOT EXISTS temp.search_marks_text (
        id INTEGER PRIMARY KEY, sender, recipients, cc, subject, body, attachments, facets);
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_marks USING fts5(
        sender, recipients, cc, subject, body, attachments, facets,
        content = 'search_marks_text', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2');";

/// Words of context around the matches in a snippet.
const SNIPPET_TOKENS: u32 = 24;
/// Bytes of body kept before the first match, and after it, in an excerpt: about
/// `SNIPPET_TOKENS` words on either side.
const BEFORE: usize = 160;
const AFTER: usize = 400;
/// Bodies are indexed up to this many characters (migration 3's `search_source`).
const INDEXED_CHARS: usize = 200_000;

/// Lower-case letters of Latin-1 (U+00E0..U+00FF) and Latin Extended-A (U+0100..U+017F)
/// without their accents, as FTS5's `remove_diacritics 2` folds them; '.' for letters it
/// keeps (æ, ð, ß, þ, ĳ, ŋ, œ).
const LATIN1: &str = "aaaaaa.ceeeeiiii.nooooo.ouuuuy.y";
const LATIN_A: &str =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii..jjkkkllllllllllnnnnnnn..oooooo..rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/// A character folded for matching: lower case, Latin accents removed.
fn fold(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase().map(|l| {
        let n = l as u32;
        let table = match n {
            0xE0..=0xFF => LATIN1.as_bytes().get((n - 0xE0) as usize),
            0x100..=0x17F => LATIN_A.as_bytes().get((n - 0x100) as usize),
            _ => None,
        };
        match table {
            Some(b) if *b != b'.' => char::from(*b),
            _ => l,
        }
    })
}

/// A query's text as folded words (runs of letters and digits), for [`excerpt`].
pub(super) fn words(text: &str) -> Vec<Vec<char>> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(fold).collect())
        .collect()
}

/// Whether a byte can be part of a word: an ASCII letter or digit, or any byte of a
/// non-ASCII character (sorted out by [`non_ascii_word_matches`]).
fn wordish(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Whether an ASCII word starts with one of `words`.
fn ascii_word_matches(word: &[u8], words: &[Vec<char>]) -> bool {
    words.iter().any(|w| {
        w.len() <= word.len()
            && w.iter()
                .zip(word)
                .all(|(c, b)| *c == char::from(b.to_ascii_lowercase()))
    })
}

/// Whether a run of word bytes with non-ASCII characters holds a word (letters and digits,
/// split at any other character) that starts with one of `words`, folded.
fn non_ascii_word_matches(run: &[u8], words: &[Vec<char>]) -> bool {
    String::from_utf8_lossy(run)
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| {
            words.iter().any(|w| {
                let mut folded = word.chars().flat_map(fold);
                !word.is_empty() && w.iter().all(|c| folded.next() == Some(*c))
            })
        })
}

/// The byte range of `body` (UTF-8) to index for its snippet: around the first word that
/// starts with one of `words`, or its start; cut at ASCII spaces (so at characters' edges).
fn excerpt(body: &[u8], words: &[Vec<char>]) -> (usize, usize) {
    let mut first = None;
    let mut i = 0;
    while i < body.len() {
        if !wordish(body[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut ascii = true;
        while i < body.len() && wordish(body[i]) {
            ascii &= body[i] < 0x80;
            i += 1;
        }
        let run = &body[start..i];
        let hit = if ascii {
            ascii_word_matches(run, words)
        } else {
            non_ascii_word_matches(run, words)
        };
        if hit {
            first = Some(start);
            break;
        }
    }
    let at = first.unwrap_or(0);
    let space = |b: &u8| b.is_ascii_whitespace();
    let from = match at.checked_sub(BEFORE) {
        Some(from) if from > 0 => body[from..at]
            .iter()
            .position(space)
            .map_or(at, |k| from + k),
        _ => 0,
    };
    let mut to = (at + AFTER).min(body.len());
    if to < body.len() {
        to = match body[at..to].iter().rposition(space) {
            Some(k) => at + k,
            None => {
                // One long word: back to the start of a character.
                while to > at && body[to] & 0xC0 == 0x80 {
                    to -= 1;
                }
                to
            }
        };
    }
    (from, to)
}

/// The bytes of a body the index read: its first [`INDEXED_CHARS`] characters.
fn indexed(body: &[u8]) -> &[u8] {
    if body.len() <= INDEXED_CHARS {
        return body;
    }
    // The start of character number INDEXED_CHARS, if there is one.
    let end = body
        .iter()
        .enumerate()
        .filter(|(_, b)| **b & 0xC0 != 0x80)
        .nth(INDEXED_CHARS)
        .map_or(body.len(), |(k, _)| k);
    &body[..end]
}

/// Text as the index saw it: without the match markers (search/mod.rs).
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([MARK_START, MARK_END]) {
        s.replace([MARK_START, MARK_END], "").into()
    } else {
        s.into()
    }
}

/// The highlighted subject and body snippet of each of `hits` (a message and whether its
/// body matched) that `matches` (an FTS5 expression of the query's phrases that can mark a
/// subject or body, joined by OR) matches; `words` locate the body's excerpt (see
/// [`words`]). A hit whose body did not match gets no snippet.
pub(super) fn mark(
    c: &Connection,
    matches: &str,
    words: &[Vec<char>],
    hits: &[(MessageId, bool)],
) -> rusqlite::Result<HashMap<MessageId, (String, String)>> {
    if hits.is_empty() {
        return Ok(HashMap::new());
    }
    let with_body: HashMap<MessageId, bool> = hits.iter().copied().collect();
    let ids: Vec<MessageId> = hits.iter().map(|(id, _)| *id).collect();
    c.execute_batch(SCRATCH)?;
    empty(c)?;
    let list = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
    let rows: Vec<(MessageId, String, Vec<u8>)> = c
        .prepare_cached(
            "SELECT m.id, m.subject, coalesce(b.text, '') FROM messages m
             LEFT JOIN bodies b ON b.message_id = m.id
             WHERE m.id IN (SELECT value FROM json_each(?1))",
        )?
        .query_map([list], |r| {
            let id: MessageId = r.get(0)?;
            // Bodies only for hits whose body matched: reading and scanning it is most of
            // the work here. As bytes: only the excerpt needs to be checked as UTF-8.
            let body = if with_body.get(&id).copied().unwrap_or(true) {
                r.get_ref(2)?.as_bytes()?.to_vec()
            } else {
                Vec::new()
            };
            Ok((id, r.get(1)?, body))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // What was cut from each body's start and end, for the snippet's ellipses.
    let mut cut: HashMap<MessageId, (bool, bool)> = HashMap::new();
    {
        let mut put = c.prepare_cached(
            "INSERT INTO temp.search_marks_text (id, subject, body) VALUES (?1, ?2, ?3)",
        )?;
        for (id, subject, body) in &rows {
            let body = indexed(body);
            let (from, to) = excerpt(body, words);
            cut.insert(*id, (from > 0, to < body.len()));
            let part = String::from_utf8_lossy(&body[from..to]);
            put.execute(rusqlite::params![id, clean(subject), clean(&part)])?;
        }
    }
    c.execute_batch("INSERT INTO temp.search_marks (search_marks) VALUES ('rebuild')")?;
    let marked = c
        .prepare_cached(&format!(
            "SELECT rowid, highlight(search_marks, 3, '{MARK_START}', '{MARK_END}'),
                    snippet(search_marks, 4, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS})
             FROM temp.search_marks WHERE search_marks MATCH ?1"
        ))?
        .query_map([matches], |r| {
            Ok((
                r.get::<_, MessageId>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .map(|r| {
            r.map(|(id, subject, mut snippet)| {
                let (head, tail) = cut.get(&id).copied().unwrap_or_default();
                if head && !snippet.starts_with('…') {
                    snippet.insert(0, '…');
                }
                if tail && !snippet.ends_with('…') {
                    snippet.push('…');
                }
                (id, (subject, snippet))
            })
        })
        .collect::<rusqlite::Result<HashMap<_, _>>>();
    empty(c)?;
    marked
}

fn empty(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch(
        "INSERT INTO temp.search_marks (search_marks) VALUES ('delete-all');
         DELETE FROM temp.search_marks_text;",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_like_the_index() {
        let f = |s: &str| s.chars().flat_map(fold).collect::<String>();
        assert_eq!(
            f("Zürich Café ÅNGSTRÖM Łódź Škoda"),
            "zurich cafe angstrom lodz skoda"
        );
        assert_eq!(f("Straße Æsir"), "straße æsir");
        assert_eq!(LATIN1.chars().count(), 32);
        assert_eq!(LATIN_A.chars().count(), 128);
    }

    #[test]
    fn an_excerpt_surrounds_the_first_match_and_cuts_at_spaces() {
        let body = format!(
            "{} the Zürich office {}",
            "word ".repeat(100),
            "more ".repeat(300)
        );
        let (from, to) = excerpt(body.as_bytes(), &words("zurich"));
        let at = body.find("Zürich").unwrap();
        assert!(from < at && at - from <= BEFORE && from > 0);
        assert!(to > at && to - at <= AFTER);
        assert!(body[from..].starts_with(' ') || body[..from].ends_with(' '));
        assert_eq!(&body[to..to + 1], " ");
        // A prefix matches the start of a word only.
        let (from, _) = excerpt(b"xoffice office", &words("off"));
        assert_eq!(from, 0);
        assert_eq!(excerpt(b"short", &words("absent")), (0, 5));
        // Words in quotes and next to other non-ASCII characters.
        let quoted = format!("{} \u{201c}Budget\u{201d} — done", "x ".repeat(200));
        let (from, _) = excerpt(quoted.as_bytes(), &words("budget"));
        // Found (not the start of the body for want of a match), with context before it.
        assert!(from > 0 && quoted[from..].find('\u{201c}').unwrap() <= BEFORE);
        let long = "é".repeat(INDEXED_CHARS + 10);
        assert_eq!(indexed(long.as_bytes()).len(), 2 * INDEXED_CHARS);
    }
}
