//! The index's words that begin with a word being typed, so that the word can be searched as
//! the words it may become: `"quart"*` as `("quarter" OR "quarterly")`. FTS5 answers a
//! prefix longer than its prefix indexes (2 and 3 characters) by merging the whole document
//! list of every word it begins, positions included, before yielding the first match: 7 to
//! 20 ms for a common word in 100,000 messages, on every key. An OR of words yields matches
//! newest first without that merge.
//!
//! The words come from FTS5's own vocabulary (an `fts5vocab` table), which reads the document
//! lists of the words in the range too, though without merging them; so the words of a
//! prefix are kept, and the next keys of the same word are answered from them until the
//! cache's writer writes (`Store::generation`). Only plain ASCII words are looked up, whose
//! folding by the tokenizer is lower case.

use crate::error::Result;
use crate::store::Store;

/// Shorter prefixes are served by FTS5's prefix indexes, lazily.
pub(crate) const MIN_CHARS: usize = 4;
/// A prefix of more words is left to FTS5 (one OR of many words costs more than a merge).
const MAX_WORDS: usize = 48;

/// Words of the index, each with how many documents hold it.
pub(crate) type Words = Vec<(String, i64)>;

/// The words found for the last prefix looked up.
#[derive(Debug)]
pub(crate) struct Completions {
    generation: u64,
    prefix: String,
    /// Every word of the index that begins with `prefix`, with its number of documents.
    words: Words,
}

/// Whether `text` can be looked up: one plain ASCII word of at least [`MIN_CHARS`].
pub(crate) fn can_complete(text: &str) -> bool {
    text.len() >= MIN_CHARS && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Store {
    /// The index's words that begin with `prefix` (see [`can_complete`]), each with how many
    /// messages hold it, or `None` when there are more than [`MAX_WORDS`].
    pub(crate) fn completions(&self, prefix: &str) -> Result<Option<Words>> {
        let prefix = prefix.to_ascii_lowercase();
        // Read before the lookup: a write after it makes the entry stale, never the reverse.
        let generation = self.generation();
        {
            let cache = self
                .completions_cache()
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if let Some(c) = cache.as_ref() {
                if c.generation == generation && prefix.starts_with(&c.prefix) {
                    return Ok(Some(
                        c.words
                            .iter()
                            .filter(|(w, _)| w.starts_with(&prefix))
                            .cloned()
                            .collect(),
                    ));
                }
            }
        }
        // Every word from `prefix` up to (not including) the prefix with its last letter one
        // higher: all words that begin with it, in FTS5's byte order.
        let mut end = prefix.clone().into_bytes();
        if let Some(last) = end.last_mut() {
            *last += 1;
        }
        let end = String::from_utf8(end).unwrap_or_default();
        let words: Words = self.read(|c| {
            c.execute_batch(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab
                 USING fts5vocab(main, search_index, 'row')",
            )?;
            let mut s = c.prepare_cached(
                "SELECT term, doc FROM temp.search_vocab WHERE term >= ?1 AND term < ?2 LIMIT ?3",
            )?;
            let rows = s
                .query_map(rusqlite::params![prefix, end, MAX_WORDS as i64 + 1], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect();
            rows
        })?;
        if words.len() > MAX_WORDS {
            return Ok(None);
        }
        *self
            .completions_cache()
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(Completions {
            generation,
            prefix,
            words: words.clone(),
        });
        Ok(Some(words))
    }
}
