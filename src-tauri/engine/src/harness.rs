//! Entry points that run hostile bytes through the engine's parsers, for the fuzz targets in
//! `fuzz/` and for the regression tests over `fuzz/regressions/`: a crash the fuzzer found
//! once is replayed by every `cargo test`. Each panics only when the engine misbehaves.

use crate::imap::ops::MailboxState;
use crate::imap::{connect, fetch, raw::Code, untagged};
use crate::message::{Header, MessageDetail, MessageSummary};
use crate::{drafts, mime, render};
use async_imap::imap_proto::{AttributeValue, Response};

/// A message as it arrives from anyone: parsed for the cache and the reader, sanitized with
/// remote content blocked and allowed, its attachments named, and reopened as a draft.
pub fn message(raw: &[u8]) {
    let body = mime::parse(raw);
    let mut header = Header::default();
    fetch::apply_header_fields(&mut header, raw);
    let _ = mime::snippet(&body.text, 200);
    let detail = MessageDetail {
        summary: MessageSummary {
            id: 1,
            folder_id: 1,
            uid: 1,
            flags: 0,
            subject: header.subject.clone(),
            from: header.from.first().cloned(),
            date: header.date,
            size: raw.len() as u32,
            snippet: String::new(),
            has_attachments: !body.attachments.is_empty(),
            thread_id: 0,
        },
        to: header.to.clone(),
        cc: header.cc.clone(),
        reply_to: header.reply_to.clone(),
        message_id: header.message_id.clone(),
        in_reply_to: header.in_reply_to.clone(),
        references: header.references.clone(),
        parts: Vec::new(),
        body: Some(body.clone()),
    };
    for allow_remote in [false, true] {
        let view = render::view(&detail, raw, allow_remote);
        check_document(&view.html, allow_remote);
    }
    for i in 0..body.attachments.len().min(4) {
        if let Some((name, _, _)) = mime::attachment(raw, i as u32) {
            check_filename(&name);
        }
    }
    for a in &body.attachments {
        check_filename(&mime::safe_filename(&a.filename));
    }
    let _ = drafts::parse(1, raw);
}

/// What the sanitizer promises whatever the input (the sandbox and CSP are the second wall).
fn check_document(html: &str, allow_remote: bool) {
    let lower = html.to_ascii_lowercase();
    for tag in [
        "<script", "<iframe", "<object", "<embed", "<form", "<base", "<link",
    ] {
        assert!(!lower.contains(tag), "{tag} survived sanitizing");
    }
    if !allow_remote {
        for attr in ["src=\"http", "srcset=\"http", "src=\"//"] {
            assert!(
                !lower.contains(attr),
                "remote {attr} survived with remote content blocked"
            );
        }
    }
}

fn check_filename(name: &str) {
    assert!(!name.is_empty(), "an empty file name");
    assert!(
        !name.contains(['/', '\\']) && !name.chars().any(char::is_control),
        "unsafe file name {name:?}"
    );
    assert!(!name.starts_with('.'), "hidden file name {name:?}");
}

/// Bytes from an IMAP server, as one or more responses: parsed as async-imap parses them,
/// then given to every handler the engine has for untagged and tagged data, and the lines
/// read before login (greeting and capabilities).
pub fn server_response(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for line in text.split_inclusive('\n').take(64) {
        let _ = connect::Capabilities::from_line(line);
        let _ = connect::check_greeting(line, crate::Security::StartTls);
    }
    let mut rest = bytes;
    let mut state = MailboxState::default();
    let mut uids = Vec::new();
    // At most this UID is asked about; VANISHED and FETCH beyond it are ignored.
    let max_uid = 100_000;
    while let Ok((next, resp)) = Response::parse(rest) {
        untagged::status_into(&resp, &mut state);
        untagged::select_into(&resp, &mut state);
        untagged::search_into(&resp, &mut uids);
        let _ = untagged::flag_row(&resp, max_uid);
        if let Some(v) = untagged::vanished(&resp, max_uid) {
            assert!(v.iter().all(|u| *u <= max_uid));
        }
        let _ = untagged::copyuid(&resp);
        match &resp {
            Response::Done { outcome, .. } | Response::Data { outcome, .. } => {
                let _ = Code::of(outcome.code.as_ref());
            }
            Response::Fetch(_, attrs) => fetch_attributes(attrs),
            _ => {}
        }
        if next.len() >= rest.len() {
            break;
        }
        rest = next;
    }
}

fn fetch_attributes(attrs: &[AttributeValue<'_>]) {
    for a in attrs {
        match a {
            AttributeValue::BodyStructure(bs) => {
                for p in fetch::parts_of(bs) {
                    assert!(!p.section.is_empty());
                }
            }
            AttributeValue::BodySection {
                data: Some(data), ..
            }
            | AttributeValue::Rfc822Header(Some(data))
            | AttributeValue::Rfc822(Some(data)) => {
                let mut h = Header::default();
                fetch::apply_header_fields(&mut h, data);
            }
            _ => {}
        }
    }
}
