//! Turning FETCH replies into cache rows: flags, header fields and BODYSTRUCTURE.

use crate::message::{flags, Address, Header, MimePart};
use async_imap::imap_proto::{AttributeValue, BodyStructure, MessageSection, SectionPath};
use async_imap::types::Fetch;
use mail_parser::{HeaderValue, MessageParser};

/// The header fields the cache keeps. ENVELOPE lacks References, and its strings arrive
/// undecoded, so the fields themselves are fetched and parsed with mail-parser.
pub const HEADER_FIELDS: &str =
    "DATE FROM TO CC REPLY-TO SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES";

/// The FETCH items for a new message's cache row.
pub fn header_items(condstore: bool) -> String {
    let modseq = if condstore { " MODSEQ" } else { "" };
    format!("(UID FLAGS INTERNALDATE RFC822.SIZE BODYSTRUCTURE{modseq} BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})])")
}

/// The FETCH items for a new message's cache row and its whole body at once (offline mode):
/// the header fields are read from the body.
pub fn full_items(condstore: bool) -> String {
    let modseq = if condstore { " MODSEQ" } else { "" };
    format!("(UID FLAGS INTERNALDATE RFC822.SIZE BODYSTRUCTURE{modseq} BODY.PEEK[])")
}

/// A cache row and the raw message from a FETCH reply to [`full_items`]; `None` without a
/// UID or a body.
pub fn full_of(fetch: &Fetch) -> Option<(Header, Vec<u8>)> {
    let mut h = header_of(fetch)?;
    let body = fetch.body()?;
    apply_header_fields(&mut h, body);
    Some((h, body.to_vec()))
}

/// Flags of one FETCH reply as (bits, keywords).
pub fn flags_of(fetch: &Fetch) -> (u32, String) {
    let mut bits = 0;
    let mut keywords: Vec<String> = Vec::new();
    for f in fetch.flags() {
        let name = match &f {
            async_imap::types::Flag::Seen => "\\Seen".to_string(),
            async_imap::types::Flag::Answered => "\\Answered".to_string(),
            async_imap::types::Flag::Flagged => "\\Flagged".to_string(),
            async_imap::types::Flag::Deleted => "\\Deleted".to_string(),
            async_imap::types::Flag::Draft => "\\Draft".to_string(),
            async_imap::types::Flag::Recent | async_imap::types::Flag::MayCreate => continue,
            async_imap::types::Flag::Custom(c) => c.to_string(),
        };
        match flags::bit(&name) {
            Some(b) => bits |= b,
            None => keywords.push(name),
        }
    }
    keywords.sort();
    (bits, keywords.join(" "))
}

/// Builds a cache row from a FETCH reply to [`header_items`]. Returns `None` when the reply
/// lacks a UID (a server bug); a reply with unreadable headers still yields a row.
pub fn header_of(fetch: &Fetch) -> Option<Header> {
    let uid = fetch.uid?;
    let (bits, keywords) = flags_of(fetch);
    let mut h = Header {
        uid,
        flags: bits,
        keywords,
        size: fetch.size.unwrap_or(0),
        internal_date: fetch.internal_date().map(|d| d.timestamp()).unwrap_or(0),
        modseq: fetch.modseq.unwrap_or(0),
        ..Header::default()
    };
    if let Some(raw) = fetch.section(&SectionPath::Full(MessageSection::Header)) {
        apply_header_fields(&mut h, raw);
    }
    if let Some(bs) = fetch.bodystructure() {
        h.parts = parts_of(bs);
    }
    Some(h)
}

/// Fills the header-derived fields of `h` from raw header bytes.
pub fn apply_header_fields(h: &mut Header, raw: &[u8]) {
    let Some(msg) = MessageParser::new().parse_headers(raw) else {
        return;
    };
    h.subject = msg.subject().unwrap_or_default().trim().to_string();
    h.date = msg.date().map(|d| d.to_timestamp()).unwrap_or(0);
    h.from = addresses(msg.from());
    h.to = addresses(msg.to());
    h.cc = addresses(msg.cc());
    h.reply_to = addresses(msg.reply_to());
    h.message_id = msg.message_id().unwrap_or_default().to_string();
    h.in_reply_to = ids(msg.in_reply_to())
        .into_iter()
        .next()
        .unwrap_or_default();
    h.references = ids(msg.references());
}

pub(crate) fn addresses(a: Option<&mail_parser::Address<'_>>) -> Vec<Address> {
    a.map(|a| {
        a.iter()
            .map(|x| Address {
                name: x.name().unwrap_or_default().trim().to_string(),
                email: x.address().unwrap_or_default().trim().to_string(),
            })
            .filter(|x| !x.email.is_empty() || !x.name.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

pub(crate) fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|s| s.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The leaves of a BODYSTRUCTURE with their IMAP section numbers (RFC 3501 §6.4.5).
pub fn parts_of(bs: &BodyStructure<'_>) -> Vec<MimePart> {
    let mut parts = Vec::new();
    walk(bs, "", &mut parts);
    parts
}

fn walk(bs: &BodyStructure<'_>, prefix: &str, out: &mut Vec<MimePart>) {
    let section = |i: usize| {
        if prefix.is_empty() {
            (i + 1).to_string()
        } else {
            format!("{prefix}.{}", i + 1)
        }
    };
    match bs {
        BodyStructure::Multipart { bodies, .. } => {
            for (i, b) in bodies.iter().enumerate() {
                walk(b, &section(i), out);
            }
        }
        BodyStructure::Basic { common, other, .. }
        | BodyStructure::Text { common, other, .. }
        | BodyStructure::Message { common, other, .. } => {
            let mime = format!("{}/{}", common.ty.ty, common.ty.subtype).to_ascii_lowercase();
            let disposition = common.disposition.as_ref();
            let filename = disposition
                .and_then(|d| param(&d.params, "filename"))
                .or_else(|| param(&common.ty.params, "name"))
                .unwrap_or_default();
            let is_attachment_disp =
                disposition.is_some_and(|d| d.ty.eq_ignore_ascii_case("attachment"));
            let is_text = mime.starts_with("text/");
            let content_id = other
                .id
                .as_deref()
                .unwrap_or("")
                .trim_matches(['<', '>'])
                .to_string();
            out.push(MimePart {
                section: if prefix.is_empty() {
                    "1".into()
                } else {
                    prefix.to_string()
                },
                attachment: is_attachment_disp
                    || (!is_text && !filename.is_empty() && content_id.is_empty())
                    || mime == "message/rfc822",
                mime,
                size: other.octets,
                filename,
                content_id,
            });
        }
    }
}

/// A MIME parameter by name, decoding RFC 2231 `name*` and RFC 2047 encoded words.
fn param(
    params: &Option<Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)>>,
    name: &str,
) -> Option<String> {
    let params = params.as_ref()?;
    let star = format!("{name}*");
    if let Some((_, v)) = params.iter().find(|(k, _)| k.eq_ignore_ascii_case(&star)) {
        return Some(decode_rfc2231(v));
    }
    // RFC 2231 continuations: name*0*, name*1*, ...
    let mut pieces: Vec<(u32, String, bool)> = params
        .iter()
        .filter_map(|(k, v)| {
            let k = k.to_ascii_lowercase();
            let rest = k.strip_prefix(&format!("{name}*"))?;
            let (num, encoded) = match rest.strip_suffix('*') {
                Some(n) => (n, true),
                None => (rest, false),
            };
            Some((num.parse().ok()?, v.to_string(), encoded))
        })
        .collect();
    if !pieces.is_empty() {
        pieces.sort_by_key(|p| p.0);
        let first_encoded = pieces[0].2;
        let joined: String = pieces.into_iter().map(|p| p.1).collect();
        return Some(if first_encoded {
            decode_rfc2231(&joined)
        } else {
            joined
        });
    }
    let (_, v) = params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))?;
    Some(decode_words(v))
}

/// Decodes `charset'lang'percent-encoded` (RFC 2231 §4). Only UTF-8 and Latin-1 are mapped;
/// anything else is shown lossily rather than dropped.
fn decode_rfc2231(v: &str) -> String {
    let mut parts = v.splitn(3, '\'');
    let (charset, _lang, text) = match (parts.next(), parts.next(), parts.next()) {
        (Some(c), Some(l), Some(t)) => (c, l, t),
        _ => return v.to_string(),
    };
    let mut bytes = Vec::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(x) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                bytes.push(x);
                i += 3;
                continue;
            }
        }
        bytes.push(b[i]);
        i += 1;
    }
    if charset.eq_ignore_ascii_case("iso-8859-1") || charset.eq_ignore_ascii_case("latin1") {
        bytes.iter().map(|&c| c as char).collect()
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Decodes RFC 2047 encoded words in a parameter value (non-standard, but common).
fn decode_words(v: &str) -> String {
    if !v.contains("=?") {
        return v.to_string();
    }
    let raw = format!("Subject: {v}\r\n\r\n");
    MessageParser::new()
        .parse_headers(raw.as_bytes())
        .and_then(|m| m.subject().map(str::to_string))
        .unwrap_or_else(|| v.to_string())
}

/// The MODSEQ of an untagged FETCH, if present.
pub fn modseq_of(attrs: &[AttributeValue<'_>]) -> Option<u64> {
    attrs.iter().find_map(|a| match a {
        AttributeValue::ModSeq(m) => Some(*m),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_decode_encoded_words() {
        let raw = b"Subject: =?UTF-8?B?Q2Fmw6kgbWVldGluZyDimJU=?=\r\n\
From: =?ISO-8859-1?Q?Ren=E9_Dupont?= <rene@example.org>\r\n\
To: a@example.org, \"B, Bee\" <b@example.org>\r\n\
Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n\
Message-ID: <abc@example.org>\r\n\
In-Reply-To: <parent@example.org>\r\n\
References: <root@example.org> <parent@example.org>\r\n\r\n";
        let mut h = Header::default();
        apply_header_fields(&mut h, raw);
        assert_eq!(h.subject, "Café meeting ☕");
        assert_eq!(
            h.from,
            vec![Address {
                name: "René Dupont".into(),
                email: "rene@example.org".into()
            }]
        );
        assert_eq!(h.to.len(), 2);
        assert_eq!(h.to[1].name, "B, Bee");
        assert_eq!(h.date, 1751364000);
        assert_eq!(h.message_id, "abc@example.org");
        assert_eq!(h.in_reply_to, "parent@example.org");
        assert_eq!(h.references, vec!["root@example.org", "parent@example.org"]);
    }

    #[test]
    fn garbage_headers_give_empty_fields() {
        let mut h = Header::default();
        apply_header_fields(&mut h, b"\x00\xff\xfe garbage without colon\r\n\r\n");
        assert_eq!(h.subject, "");
        assert!(h.from.is_empty());
    }

    #[test]
    fn rfc2231_filenames() {
        assert_eq!(decode_rfc2231("UTF-8''r%C3%A9sum%C3%A9.pdf"), "résumé.pdf");
        assert_eq!(decode_rfc2231("iso-8859-1'en'caf%E9.txt"), "café.txt");
        assert_eq!(decode_rfc2231("no-quotes"), "no-quotes");
        assert_eq!(decode_rfc2231("UTF-8''bad%"), "bad%");
        assert_eq!(decode_words("=?UTF-8?Q?na=C3=AFve.txt?="), "naïve.txt");
    }
}
