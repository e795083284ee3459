//! Messages as the cache knows them: flags, addresses, MIME structure, summaries and bodies.

use serde::{Deserialize, Serialize};

/// The row id of a cached message.
pub type MessageId = i64;

/// System flags and the keywords Tern understands, as a bit set (RFC 3501 §2.3.2).
pub mod flags {
    pub const SEEN: u32 = 1;
    pub const ANSWERED: u32 = 2;
    pub const FLAGGED: u32 = 4;
    pub const DELETED: u32 = 8;
    pub const DRAFT: u32 = 16;
    /// `$Forwarded` (RFC 5788 registry).
    pub const FORWARDED: u32 = 32;
    /// `$Junk`.
    pub const JUNK: u32 = 64;

    /// Maps one IMAP flag to its bit; `None` for keywords kept as text.
    pub fn bit(flag: &str) -> Option<u32> {
        Some(match flag.to_ascii_lowercase().as_str() {
            "\\seen" => SEEN,
            "\\answered" => ANSWERED,
            "\\flagged" => FLAGGED,
            "\\deleted" => DELETED,
            "\\draft" => DRAFT,
            "$forwarded" => FORWARDED,
            "$junk" => JUNK,
            _ => return None,
        })
    }

    /// The IMAP names of the bits set in `bits`.
    pub fn names(bits: u32) -> Vec<&'static str> {
        [
            (SEEN, "\\Seen"),
            (ANSWERED, "\\Answered"),
            (FLAGGED, "\\Flagged"),
            (DELETED, "\\Deleted"),
            (DRAFT, "\\Draft"),
            (FORWARDED, "$Forwarded"),
            (JUNK, "$Junk"),
        ]
        .into_iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| n)
        .collect()
    }
}

/// A mailbox address with its display name (decoded from RFC 2047 if it was encoded).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub email: String,
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.name.is_empty() {
            f.write_str(&self.email)
        } else {
            write!(f, "{} <{}>", self.name, self.email)
        }
    }
}

/// One leaf of a message's MIME tree, from BODYSTRUCTURE.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MimePart {
    /// The IMAP section number, such as `1` or `2.1` (RFC 3501 §6.4.5).
    pub section: String,
    /// Lower-case `type/subtype`.
    pub mime: String,
    /// Encoded size in octets.
    pub size: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub filename: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content_id: String,
    /// The part is an attachment (by disposition, or a named non-text part).
    #[serde(default)]
    pub attachment: bool,
}

/// Everything the cache keeps about a message before its body is fetched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub uid: u32,
    pub flags: u32,
    /// Keywords other than those in [`flags`], space-separated.
    pub keywords: String,
    pub size: u32,
    /// INTERNALDATE as Unix seconds.
    pub internal_date: i64,
    /// The Date header as Unix seconds (0 when missing or unreadable).
    pub date: i64,
    pub modseq: u64,
    pub subject: String,
    pub from: Vec<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub reply_to: Vec<Address>,
    /// Message-ID without angle brackets.
    pub message_id: String,
    pub in_reply_to: String,
    /// References, oldest first, without angle brackets.
    pub references: Vec<String>,
    pub parts: Vec<MimePart>,
}

impl Header {
    pub fn has_attachments(&self) -> bool {
        self.parts.iter().any(|p| p.attachment)
    }
}

/// A message as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSummary {
    pub id: MessageId,
    pub folder_id: i64,
    pub uid: u32,
    pub flags: u32,
    pub subject: String,
    pub from: Option<Address>,
    pub date: i64,
    pub size: u32,
    pub snippet: String,
    pub has_attachments: bool,
    /// The conversation it belongs to (see [`crate::thread`]).
    #[serde(default)]
    pub thread_id: i64,
}

/// A message as the reader shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDetail {
    pub summary: MessageSummary,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub reply_to: Vec<Address>,
    pub message_id: String,
    pub in_reply_to: String,
    pub references: Vec<String>,
    pub parts: Vec<MimePart>,
    /// The body, when cached.
    pub body: Option<Body>,
}

/// A parsed body: text, raw (unsanitized) HTML, and attachments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub html: String,
    pub attachments: Vec<Attachment>,
}

/// An attachment of a parsed body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Position among the message's attachments.
    pub index: u32,
    pub filename: String,
    pub mime: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content_id: String,
    pub inline: bool,
}

#[cfg(test)]
mod tests {
    use super::flags;

    #[test]
    fn flag_bits_round_trip() {
        assert_eq!(flags::bit("\\Seen"), Some(flags::SEEN));
        assert_eq!(flags::bit("$forwarded"), Some(flags::FORWARDED));
        assert_eq!(flags::bit("$Important"), None);
        assert_eq!(
            flags::names(flags::SEEN | flags::FLAGGED),
            vec!["\\Seen", "\\Flagged"]
        );
    }
}
