//! Rendering a message for people: HTML sanitized (see [`crate::sanitize`]) and wrapped in a
//! document with its own CSP, remote content blocked unless the user allowed it, inline `cid:`
//! images taken from the message itself, never from the network, and the message's links
//! listed for the shell to check when one is clicked.

use crate::links::Link;
use crate::message::{Address, Attachment, MessageDetail, MessageSummary};
use crate::sanitize::sanitize;
use base64::Engine as _;
use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// A message ready for the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub summary: MessageSummary,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub reply_to: Vec<Address>,
    pub message_id: String,
    pub text: String,
    /// A whole document for a sandboxed iframe's `srcdoc`; empty for plain-text mail.
    pub html: String,
    /// The HTML's links, in the order its references number them (`LINK_BASE<id>/<index>`).
    #[serde(default)]
    pub links: Vec<Link>,
    pub attachments: Vec<Attachment>,
    pub has_remote_content: bool,
    pub remote_allowed: bool,
}

/// Builds the reader's view of a message whose body is cached.
pub fn view(detail: &MessageDetail, raw: &[u8], allow_remote: bool) -> MessageView {
    let body = detail.body.clone().unwrap_or_default();
    let (html, has_remote, links) = if body.html.trim().is_empty() {
        (String::new(), false, Vec::new())
    } else {
        let inline = inline_images(raw);
        let s = sanitize(
            &body.html,
            allow_remote,
            &inline,
            &detail.summary.id.to_string(),
        );
        (document(&s.html, &s.remote_origins), s.remote, s.links)
    };
    MessageView {
        summary: detail.summary.clone(),
        to: detail.to.clone(),
        cc: detail.cc.clone(),
        reply_to: detail.reply_to.clone(),
        message_id: detail.message_id.clone(),
        text: body.text,
        html,
        links,
        attachments: body
            .attachments
            .into_iter()
            .filter(|a| !a.inline || a.content_id.is_empty())
            .collect(),
        has_remote_content: has_remote,
        remote_allowed: allow_remote && has_remote,
    }
}

/// Inline images of a message as `content-id -> data: URL`. SVG is left out: it can carry script.
fn inline_images(raw: &[u8]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let Some(msg) = MessageParser::default().parse(raw) else {
        return map;
    };
    for part in msg.parts.iter() {
        let (Some(cid), Some(ct)) = (part.content_id(), part.content_type()) else {
            continue;
        };
        let mime = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase();
        if !matches!(
            mime.as_str(),
            "image/png" | "image/jpeg" | "image/jpg" | "image/gif" | "image/webp"
        ) {
            continue;
        }
        let data = base64::engine::general_purpose::STANDARD.encode(part.contents());
        map.insert(
            cid.trim_matches(['<', '>']).to_string(),
            format!("data:{mime};base64,{data}"),
        );
    }
    map
}

/// Wraps sanitized HTML in a document whose own CSP forbids everything but inline styles and
/// images: `data:` (inline parts), plus exactly the origins of the remote images kept when the
/// user allowed remote content. The sandbox and this CSP hold even if the sanitizer missed
/// something; `form-action` and `base-uri` are listed because `default-src` does not cover them.
pub fn document(clean: &str, remote_origins: &BTreeSet<String>) -> String {
    let mut img = String::from("data:");
    for o in remote_origins {
        // Origins come from the URL parser; anything that is not plain `scheme://host[:port]`
        // could break out of the policy, so it is left out.
        if o.starts_with("http")
            && o.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '-' | '[' | ']')
            })
        {
            img.push(' ');
            img.push_str(o);
        }
    }
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src {img}; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'\">\
<meta name=\"referrer\" content=\"no-referrer\">\
<style>html{{color-scheme:light}}body{{margin:0;padding:16px;font:14px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;\
color:#1b1b1f;background:#fff;overflow-wrap:anywhere}}img{{max-width:100%;height:auto}}table{{max-width:100%}}\
blockquote{{margin:0 0 0 .5em;padding-left:.8em;border-left:3px solid #c8c8d0;color:#555}}</style></head><body>{clean}</body></html>"
    )
}
