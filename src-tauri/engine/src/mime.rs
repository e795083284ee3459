//! Parsing a fetched message body into text, HTML and attachments (mail-parser), plus the
//! snippet the list shows. Hostile input yields an empty or partial body, never a panic.

use crate::message::{Attachment, Body};
use mail_parser::{MessageParser, MimeHeaders, PartType};

/// Kept here too: attachments are named through it.
pub use crate::filename::safe_filename;

/// Parses raw RFC 5322 bytes. The HTML is returned as sent: it must be sanitized before display.
pub fn parse(raw: &[u8]) -> Body {
    let Some(msg) = MessageParser::default().parse(raw) else {
        return Body {
            text: String::from_utf8_lossy(raw).into_owned(),
            ..Body::default()
        };
    };
    let html = msg
        .html_bodies()
        .filter(|p| p.is_text_html())
        .filter_map(|p| p.text_contents())
        .collect::<Vec<_>>()
        .join("\n");
    let mut text = msg
        .text_bodies()
        .filter(|p| !p.is_text_html())
        .filter_map(|p| p.text_contents())
        .collect::<Vec<_>>()
        .join("\n");
    if text.trim().is_empty() && !html.is_empty() {
        text = html_to_text(&html);
    }
    let attachments = msg
        .attachments()
        .enumerate()
        .map(|(i, p)| {
            let mime = p
                .content_type()
                .map(|ct| {
                    format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream"))
                        .to_ascii_lowercase()
                })
                .unwrap_or_else(|| "application/octet-stream".into());
            let inline = p.content_disposition().is_some_and(|d| d.is_inline());
            Attachment {
                index: i as u32,
                // Shown to the user as well as used to save: no bidi tricks or paths here either.
                filename: p.attachment_name().map(safe_filename).unwrap_or_default(),
                mime,
                size: match &p.body {
                    PartType::Message(m) => m.raw_message().len() as u64,
                    _ => p.contents().len() as u64,
                },
                content_id: p
                    .content_id()
                    .unwrap_or_default()
                    .trim_matches(['<', '>'])
                    .to_string(),
                inline,
            }
        })
        .collect();
    Body {
        text,
        html,
        attachments,
    }
}

/// The decoded bytes of attachment `index` (as numbered by [`parse`]) with its file name and type.
pub fn attachment(raw: &[u8], index: u32) -> Option<(String, String, Vec<u8>)> {
    let msg = MessageParser::default().parse(raw)?;
    let p = msg.attachments().nth(index as usize)?;
    let mime = p
        .content_type()
        .map(|ct| {
            format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream"))
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|| "application/octet-stream".into());
    let bytes = match &p.body {
        PartType::Message(m) => m.raw_message().to_vec(),
        _ => p.contents().to_vec(),
    };
    Some((
        safe_filename(p.attachment_name().unwrap_or("attachment")),
        mime,
        bytes,
    ))
}

/// Reduces HTML to readable text: tags dropped, block ends as line breaks, common entities
/// decoded, and `<script>`/`<style>` contents removed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let bytes = html.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let end = match html[i..].find('>') {
                Some(e) => i + e + 1,
                None => break,
            };
            let tag = &lower[i + 1..end - 1];
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if (name == "script" || name == "style") && !tag.starts_with('/') {
                let close = format!("</{name}");
                i = lower[end..]
                    .find(&close)
                    .map(|p| end + p)
                    .unwrap_or(bytes.len());
                continue;
            }
            if matches!(
                name.as_str(),
                "br" | "p"
                    | "div"
                    | "tr"
                    | "li"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "blockquote"
                    | "table"
            ) {
                out.push('\n');
            }
            i = end;
        } else {
            let next = html[i..].find('<').map(|p| i + p).unwrap_or(bytes.len());
            out.push_str(&decode_entities(&html[i..next]));
            i = next;
        }
    }
    let mut cleaned = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        cleaned.push_str(&line);
        cleaned.push('\n');
    }
    cleaned.trim().to_string()
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let after = &rest[p..];
        let end = after.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let ent = &after[1..e];
            match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                    u32::from_str_radix(&ent[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            }
            .map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first `max` characters of the text as one line, skipping quoted lines.
pub fn snippet(text: &str, max: usize) -> String {
    let mut s = String::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('>') {
            continue;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&l.split_whitespace().collect::<Vec<_>>().join(" "));
        if s.chars().count() >= max {
            break;
        }
    }
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_alternative_with_attachment() {
        let raw = b"From: a@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"X\"\r\n\r\n--X\r\n\
Content-Type: multipart/alternative; boundary=\"Y\"\r\n\r\n--Y\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nHello caf\xc3\xa9\r\n--Y\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n<p>Hello <b>caf\xc3\xa9</b></p>\r\n--Y--\r\n--X\r\n\
Content-Type: application/pdf; name=\"r.pdf\"\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--X--\r\n";
        let b = parse(raw);
        assert_eq!(b.text.trim(), "Hello café");
        assert!(b.html.contains("<b>café</b>"));
        assert_eq!(b.attachments.len(), 1);
        assert_eq!(b.attachments[0].filename, "r.pdf");
        assert_eq!(b.attachments[0].mime, "application/pdf");
        assert_eq!(b.attachments[0].size, 9);
    }

    #[test]
    fn html_only_gets_text() {
        let raw = b"Content-Type: text/html\r\n\r\n<html><style>p{}</style><script>x()</script><p>One &amp; two</p><p>three&nbsp;&#233;</p></html>";
        let b = parse(raw);
        assert_eq!(b.text, "One & two\n\nthree é");
    }

    #[test]
    fn garbage_does_not_panic() {
        for raw in [
            &b""[..],
            b"\xff\xfe\x00",
            b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--",
            b"<<<>>>&&&;;",
        ] {
            let _ = parse(raw);
            let _ = html_to_text(&String::from_utf8_lossy(raw));
        }
        assert_eq!(
            html_to_text("a &unknown; b &#xZZ; <unclosed"),
            "a &unknown; b &#xZZ;"
        );
    }

    #[test]
    fn attachment_bytes_are_decoded() {
        let raw = b"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nhi\r\n--X\r\n\
Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"../r.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--X--\r\n";
        let (name, mime, bytes) = attachment(raw, 0).unwrap();
        assert_eq!(
            (name.as_str(), mime.as_str(), bytes.as_slice()),
            ("r.pdf", "application/pdf", &b"%PDF-1.4\n"[..])
        );
        assert!(attachment(raw, 1).is_none());
    }

    #[test]
    fn snippets_skip_quotes() {
        assert_eq!(
            snippet("> quoted\n\nHello   there\nsecond line", 14),
            "Hello there se"
        );
    }
}
