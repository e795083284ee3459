//! Composing: the [`Draft`] the UI edits, and turning it into an RFC 5322 message with
//! `mail-builder` (MIME by a well-kept crate, never by hand).
//!
//! What the built message promises:
//! - `multipart/alternative` of text and HTML (RFC 2046 §5.1.4); the HTML is the user's when
//!   given, else derived from the text, so every reader shows the same words.
//! - attachments in `multipart/mixed` around it, byte for byte (base64 where needed);
//!   a forwarded message as `message/rfc822` in 7bit/8bit, never base64 (RFC 2046 §5.2.1).
//! - UTF-8 everywhere; non-ASCII display names and subjects as encoded words (RFC 2047).
//! - a fresh Message-ID on the sender's domain (RFC 5322 §3.6.4) and a Date (§3.6.1).
//! - Bcc only in the SMTP envelope, never in the sent headers (RFC 5322 §3.6.3 allows either;
//!   we never disclose it). A draft keeps its Bcc header so another client can continue it.

use crate::account::AccountId;
use crate::error::{Error, ErrorKind, Result};
use crate::message::{Address, MessageId};
use mail_builder::headers::address::Address as MbAddress;
use mail_builder::headers::message_id::MessageId as MbMessageId;
use mail_builder::mime::{BodyPart, MimePart};
use mail_builder::MessageBuilder;
use serde::{Deserialize, Serialize};

/// A message being written. Everything the compose window holds; stored as JSON for drafts
/// and the outbox, so it must stay readable by later builds (new fields get defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The sending account (the identity's address is the account's).
    pub account: AccountId,
    /// The display name to send under; empty means the account's.
    #[serde(default)]
    pub from_name: String,
    #[serde(default)]
    pub to: Vec<Address>,
    #[serde(default)]
    pub cc: Vec<Address>,
    #[serde(default)]
    pub bcc: Vec<Address>,
    #[serde(default)]
    pub subject: String,
    /// The plain text body.
    #[serde(default)]
    pub text: String,
    /// The HTML body, if the user formatted the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(default)]
    pub attachments: Vec<DraftAttachment>,
    /// Message-ID of the message replied to, without angle brackets.
    #[serde(default)]
    pub in_reply_to: String,
    /// The thread's Message-IDs, oldest first, without angle brackets.
    #[serde(default)]
    pub references: Vec<String>,
    /// The cached message this replies to or forwards: it gets `\Answered` or `$Forwarded`
    /// once this is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// Which cached message a draft answers, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub message: MessageId,
    pub kind: OriginKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OriginKind {
    Reply,
    Forward,
}

/// One attachment: its name and type, and either the bytes or a file read when the message
/// is queued for sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftAttachment {
    pub filename: String,
    /// MIME type; empty means guessed from the file name.
    #[serde(default)]
    pub mime: String,
    pub content: Content,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Content {
    /// The bytes themselves (base64 in JSON).
    Bytes(#[serde(with = "b64")] Vec<u8>),
    /// A file on disk, read when the message is built.
    Path(String),
}

mod b64 {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)
    }
}

/// A message ready for SMTP and APPEND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub raw: Vec<u8>,
    /// Without angle brackets.
    pub message_id: String,
    /// The envelope sender (RFC 5321 MAIL FROM).
    pub from: String,
    /// Every recipient: To, Cc and Bcc, each once (RFC 5321 RCPT TO).
    pub recipients: Vec<String>,
}

/// Whether the built message is for sending (no Bcc header) or a draft copy (Bcc kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Send,
    Draft,
}

/// A forwarded original carried as a `message/rfc822` attachment.
pub struct Attached {
    pub filename: String,
    pub raw: Vec<u8>,
}

impl Draft {
    /// Every recipient address, lower-cased for comparison, each once.
    pub fn recipients(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.to
            .iter()
            .chain(&self.cc)
            .chain(&self.bcc)
            .map(|a| a.email.trim().to_string())
            .filter(|e| !e.is_empty() && seen.insert(e.to_ascii_lowercase()))
            .collect()
    }
}

/// Builds the message for `draft` sent as `from`, with `forwarded` originals attached.
/// `date` is Unix seconds.
pub fn build(
    draft: &Draft,
    from: &Address,
    purpose: Purpose,
    date: i64,
    forwarded: &[Attached],
) -> Result<Built> {
    let recipients = draft.recipients();
    if purpose == Purpose::Send && recipients.is_empty() {
        return Err(Error::new(
            ErrorKind::Config,
            "The message has no recipient",
        ));
    }
    for a in draft.to.iter().chain(&draft.cc).chain(&draft.bcc) {
        if !plausible_email(&a.email) {
            return Err(Error::new(
                ErrorKind::Config,
                format!("'{}' is not an email address", a.email),
            ));
        }
    }
    let message_id = new_message_id(&from.email);
    let mut b = MessageBuilder::new()
        .from(mb_address(from))
        .subject(draft.subject.as_str())
        .date(date)
        .message_id(message_id.clone());
    if !draft.to.is_empty() {
        b = b.to(mb_list(&draft.to));
    }
    if !draft.cc.is_empty() {
        b = b.cc(mb_list(&draft.cc));
    }
    if purpose == Purpose::Draft && !draft.bcc.is_empty() {
        b = b.bcc(mb_list(&draft.bcc));
    }
    if !draft.in_reply_to.is_empty() {
        b = b.in_reply_to(draft.in_reply_to.clone());
    }
    if !draft.references.is_empty() {
        b = b.references(MbMessageId::new_list(draft.references.iter().cloned()));
    }
    b = b.header("User-Agent", mail_builder::headers::raw::Raw::new("Tern"));

    let html = match &draft.html {
        Some(h) if !h.trim().is_empty() => h.clone(),
        _ => text_to_html(&draft.text),
    };
    let alternative = MimePart::new(
        "multipart/alternative",
        vec![
            MimePart::new("text/plain", normalise_newlines(&draft.text)),
            MimePart::new("text/html", html),
        ],
    );
    let mut parts = Vec::new();
    for a in &draft.attachments {
        let bytes = match &a.content {
            Content::Bytes(b) => b.clone(),
            Content::Path(p) => std::fs::read(p).map_err(|e| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("Cannot read the attachment {p}: {e}"),
                )
            })?,
        };
        let mime = if a.mime.is_empty() {
            guess_mime(&a.filename).to_string()
        } else {
            a.mime.clone()
        };
        if mime.eq_ignore_ascii_case("message/rfc822") {
            parts.push(rfc822_part(&a.filename, &bytes));
            continue;
        }
        parts.push(
            MimePart::new(mime, BodyPart::Binary(bytes.into())).attachment(a.filename.clone()),
        );
    }
    for f in forwarded {
        parts.push(rfc822_part(&f.filename, &f.raw));
    }
    let body = if parts.is_empty() {
        alternative
    } else {
        parts.insert(0, alternative);
        MimePart::new("multipart/mixed", parts)
    };
    let raw = b
        .body(body)
        .write_to_vec()
        .map_err(|e| Error::new(ErrorKind::Storage, format!("Building the message: {e}")))?;
    Ok(Built {
        raw,
        message_id,
        from: from.email.clone(),
        recipients,
    })
}

/// A message attached whole: 7bit or 8bit as it is, never base64 (RFC 2046 §5.2.1).
fn rfc822_part(filename: &str, raw: &[u8]) -> MimePart<'static> {
    let raw = crlf(raw);
    let encoding = if raw.is_ascii() { "7bit" } else { "8bit" };
    MimePart::new("message/rfc822", BodyPart::Binary(raw.into()))
        .attachment(filename.to_string())
        .transfer_encoding(encoding)
}

fn mb_address(a: &Address) -> MbAddress<'static> {
    let name = a.name.trim();
    MbAddress::new_address(
        (!name.is_empty()).then(|| name.to_string()),
        a.email.trim().to_string(),
    )
}

fn mb_list(v: &[Address]) -> MbAddress<'static> {
    MbAddress::new_list(v.iter().map(mb_address).collect())
}

/// A new Message-ID on the sender's domain: time, process and a counter hashed, so two
/// Terns (or two drafts in one second) never collide.
pub fn new_message_id(from: &str) -> String {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let seed = format!(
        "{now}.{}.{}.{from}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let digest = Sha256::digest(seed.as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim())
        .filter(|d| !d.is_empty())
        .unwrap_or("tern.invalid");
    format!("{}.{hex}@{domain}", now / 1_000_000_000)
}

fn plausible_email(s: &str) -> bool {
    let s = s.trim();
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        }
        None => false,
    }
}

/// Plain text as simple HTML: escaped, line breaks kept, quoted lines (`>`) as blockquotes.
pub fn text_to_html(text: &str) -> String {
    let mut out = String::from("<!DOCTYPE html><html><body><div>");
    let mut depth = 0usize;
    for line in normalise_newlines(text).split("\r\n") {
        let mut rest = line;
        let mut d = 0;
        while let Some(r) = rest.strip_prefix('>') {
            d += 1;
            rest = r.strip_prefix(' ').unwrap_or(r);
        }
        while depth < d {
            out.push_str("<blockquote type=\"cite\">");
            depth += 1;
        }
        while depth > d {
            out.push_str("</blockquote>");
            depth -= 1;
        }
        out.push_str(&escape_html(rest));
        out.push_str("<br>\r\n");
    }
    while depth > 0 {
        out.push_str("</blockquote>");
        depth -= 1;
    }
    out.push_str("</div></body></html>");
    out
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text with CRLF line ends (RFC 5322 §2.3).
fn normalise_newlines(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

fn crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 40);
    let mut prev = 0u8;
    for &b in raw {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// A MIME type from a file name's extension; `application/octet-stream` when unknown.
pub fn guess_mime(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "text" => "text/plain",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "zip" => "application/zip",
        "json" => "application/json",
        "eml" => "message/rfc822",
        "ics" => "text/calendar",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        _ => "application/octet-stream",
    }
}

/// Parses a user-typed address list ("Bob <bob@x>, carol@y") into addresses, decoding any
/// encoded words.
pub fn parse_addresses(s: &str) -> Vec<Address> {
    let header = format!("To: {}\r\n\r\n", s.trim());
    let Some(m) = mail_parser::MessageParser::default().parse_headers(header.as_bytes()) else {
        return Vec::new();
    };
    crate::imap::fetch::addresses(m.to())
}

#[cfg(test)]
#[path = "compose_tests.rs"]
mod tests;
