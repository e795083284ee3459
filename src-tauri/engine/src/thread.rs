//! Conversations: the thread summary the list shows, and the base-subject rules of RFC 5256
//! §2.1 that the subject fallback of threading compares. The incremental REFERENCES
//! threading itself runs in the cache's insert path (`store/threads.rs`).

use crate::message::{Address, MessageId};
use serde::{Deserialize, Serialize};

/// The id of a conversation. Stable while its messages stay; when a later message links two
/// conversations, the younger id is merged into the older one.
pub type ThreadId = i64;

/// A conversation as the message list shows it, across every folder it has mail in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    pub id: ThreadId,
    /// The subject of the oldest message.
    pub subject: String,
    /// Distinct senders, oldest first.
    pub senders: Vec<Address>,
    /// Messages in the conversation, in every folder.
    pub count: u32,
    /// How many of them are unread; the conversation is unread when this is not zero.
    pub unread: u32,
    pub starred: bool,
    pub has_attachments: bool,
    /// Date of the newest message (Unix seconds).
    pub latest_date: i64,
    /// The newest message, for opening or previewing the conversation.
    pub newest: MessageId,
    /// The newest message's snippet.
    pub snippet: String,
}

/// Words that mark a reply or forward: RFC 5256's "re", "fw" and "fwd", plus the common
/// German, Nordic and Dutch ones (AW, SV, WG, Antw, VS) that real mailers write.
const REFWD: &[&str] = &["re", "fwd", "fw", "aw", "sv", "wg", "antw", "vs"];

/// The base subject of RFC 5256 §2.1 in a form for comparing (lower case, single spaces),
/// and whether reply or forward markers were removed to reach it.
pub fn base_subject(subject: &str) -> (String, bool) {
    // §2.1 (1): collapse runs of whitespace to one space. Every later step only cuts from
    // the ends, so it works on slices of this one string.
    let mut collapsed = String::with_capacity(subject.len());
    for word in subject.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    let mut s = collapsed.as_str();
    let mut reply = false;
    loop {
        let before = s.len();
        // (2): remove trailers: "(fwd)" and whitespace.
        loop {
            s = s.trim_end();
            if ends_with_ignore_case(s, "(fwd)") {
                s = &s[..s.len() - 5];
                reply = true;
            } else {
                break;
            }
        }
        // (3) and (4): remove leaders ("Re:", "[list] Fwd[2]:") and a leading blob,
        // until nothing changes.
        loop {
            let start = s.len();
            s = s.trim_start();
            if let Some(rest) = strip_refwd(s) {
                s = rest;
                reply = true;
            } else if let Some(rest) = strip_blob(s) {
                // A blob is removed only if something remains after it (§2.1 (4)).
                if !rest.trim().is_empty() {
                    s = rest;
                }
            }
            if s.len() == start {
                break;
            }
        }
        // (6): "[fwd: subject]" wraps a forwarded subject.
        if starts_with_ignore_case(s, "[fwd:") && s.ends_with(']') {
            s = &s[5..s.len() - 1];
            reply = true;
        }
        if s.len() == before {
            break;
        }
    }
    (s.trim().to_lowercase(), reply)
}

/// Whether `s` starts with the ASCII `prefix`, ignoring ASCII case.
fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Whether `s` ends with the ASCII `suffix`, ignoring ASCII case.
fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// `subj-blob = "[" *BLOBCHAR "]" *WSP`: what follows a leading blob, if there is one.
fn strip_blob(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('[')?;
    let end = rest.find(']')?;
    if rest[..end].contains('[') {
        return None;
    }
    Some(rest[end + 1..].trim_start())
}

/// `subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"`, optionally after blobs
/// (`subj-leader`): what follows it, if it is there.
fn strip_refwd(s: &str) -> Option<&str> {
    let mut rest = s;
    // Leading blobs belong to the leader only if a reply marker follows them.
    while let Some(r) = strip_blob(rest) {
        rest = r;
    }
    let word = REFWD.iter().find(|w| starts_with_ignore_case(rest, w))?;
    let mut r = rest[word.len()..].trim_start();
    if let Some(after) = strip_blob(r) {
        r = after;
    }
    r.strip_prefix(':')
}

#[cfg(test)]
mod tests {
    use super::base_subject;

    #[test]
    fn reply_and_forward_markers_are_removed() {
        assert_eq!(base_subject("Re: Lunch"), ("lunch".into(), true));
        assert_eq!(base_subject("RE: re: Fwd: Lunch"), ("lunch".into(), true));
        assert_eq!(base_subject("Re[2]: Lunch"), ("lunch".into(), true));
        assert_eq!(base_subject("Re : Lunch"), ("lunch".into(), true));
        assert_eq!(base_subject("AW: Termin"), ("termin".into(), true));
        assert_eq!(base_subject("Lunch (fwd)"), ("lunch".into(), true));
        assert_eq!(
            base_subject("[Fwd: Lunch plans]"),
            ("lunch plans".into(), true)
        );
    }

    #[test]
    fn blobs_and_whitespace() {
        assert_eq!(
            base_subject("[rust-users] Re:  Borrow   checker"),
            ("borrow checker".into(), true)
        );
        assert_eq!(
            base_subject("[rust-users] Borrow checker"),
            ("borrow checker".into(), false)
        );
        // A blob that is the whole subject stays.
        assert_eq!(base_subject("[draft]"), ("[draft]".into(), false));
    }

    #[test]
    fn originals_are_not_replies() {
        assert_eq!(
            base_subject("Weekly report"),
            ("weekly report".into(), false)
        );
        assert_eq!(base_subject("Reply needed"), ("reply needed".into(), false));
        assert_eq!(base_subject("Fwiw"), ("fwiw".into(), false));
        assert_eq!(base_subject("Résumé: Zoë"), ("résumé: zoë".into(), false));
        assert_eq!(base_subject(""), (String::new(), false));
    }
}
