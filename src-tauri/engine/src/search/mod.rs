//! Finding mail: the query language, the local full-text index (SQLite FTS5, kept current
//! off the sync path, see `store/fulltext.rs`), its ranking and highlighting, and the IMAP
//! SEARCH translation for the server fallback.
//!
//! Matches in results are marked inside the text itself: [`MARK_START`] (U+0002, STX) before
//! a match and [`MARK_END`] (U+0003, ETX) after it. The cache drops these characters from
//! indexed subjects and bodies, so every marker in a result is one the index put there. A UI
//! renders a hit safely by splitting on the two characters and inserting the pieces as text
//! nodes, never as HTML.

pub mod imap;
mod local;
mod marks;
pub mod query;
mod rank;
mod words;

pub use query::{parse, Field, Kind, ParseError, Query, Term};
pub(crate) use words::Completions;

use crate::message::MessageSummary;
use serde::{Deserialize, Serialize};

/// Precedes each match in [`SearchHit::highlighted_subject`] and [`SearchHit::highlighted_snippet`].
pub const MARK_START: char = '\u{2}';
/// Follows each match.
pub const MARK_END: char = '\u{3}';

/// Where a hit was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The local index (or a server hit whose body is cached, which the index also covers).
    Local,
    /// Only the server's SEARCH: its body is not cached, so the local index could not see it.
    Server,
}

/// A message that matches a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub message: MessageSummary,
    /// The subject, with matches between [`MARK_START`] and [`MARK_END`].
    pub highlighted_subject: String,
    /// A fragment of the body around the matches (or its start), marked the same way.
    pub highlighted_snippet: String,
    pub source: Source,
}

impl SearchHit {
    /// A hit without highlighting (server results, filter-only queries).
    pub fn plain(message: MessageSummary, source: Source) -> SearchHit {
        SearchHit {
            highlighted_subject: message.subject.clone(),
            highlighted_snippet: message.snippet.clone(),
            message,
            source,
        }
    }
}

/// Registers the SQL functions search needs on a cache connection (FTS5 auxiliary
/// functions are per connection).
pub(crate) fn register_functions(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    rank::register(conn)
}

/// Removes the match markers, for showing a highlighted text plainly.
pub fn strip_marks(s: &str) -> String {
    s.chars()
        .filter(|c| *c != MARK_START && *c != MARK_END)
        .collect()
}
