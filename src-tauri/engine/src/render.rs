//! Rendering a message for people: HTML sanitized by ammonia under an allow-list, wrapped in a
//! document with its own CSP, remote content blocked unless the user allowed it, and inline
//! `cid:` images taken from the message itself, never from the network.

use crate::message::{Address, Attachment, MessageDetail, MessageSummary};
use base64::Engine as _;
use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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
    pub attachments: Vec<Attachment>,
    pub has_remote_content: bool,
    pub remote_allowed: bool,
}

/// Builds the reader's view of a message whose body is cached.
pub fn view(detail: &MessageDetail, raw: &[u8], allow_remote: bool) -> MessageView {
    let body = detail.body.clone().unwrap_or_default();
    let (html, has_remote) = if body.html.trim().is_empty() {
        (String::new(), false)
    } else {
        let inline = inline_images(raw);
        let (clean, remote) = sanitize(&body.html, allow_remote, &inline);
        (document(&clean, allow_remote), remote)
    };
    MessageView {
        summary: detail.summary.clone(),
        to: detail.to.clone(),
        cc: detail.cc.clone(),
        reply_to: detail.reply_to.clone(),
        message_id: detail.message_id.clone(),
        text: body.text,
        html,
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

const TAGS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "main",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// CSS properties kept in `style` attributes. Nothing here can load a resource.
const STYLE_PROPERTIES: &[&str] = &[
    "background-color",
    "border",
    "border-bottom",
    "border-collapse",
    "border-color",
    "border-left",
    "border-radius",
    "border-right",
    "border-spacing",
    "border-style",
    "border-top",
    "border-width",
    "clear",
    "color",
    "direction",
    "display",
    "float",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "list-style-type",
    "margin",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "margin-top",
    "max-height",
    "max-width",
    "min-height",
    "min-width",
    "padding",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "padding-top",
    "table-layout",
    "text-align",
    "text-decoration",
    "text-indent",
    "text-transform",
    "vertical-align",
    "white-space",
    "width",
    "word-break",
    "word-spacing",
    "word-wrap",
    "overflow-wrap",
];

/// Sanitizes mail HTML. Returns the clean fragment and whether the message refers to remote
/// content (whether or not it was kept).
pub fn sanitize(
    html: &str,
    allow_remote: bool,
    inline: &HashMap<String, String>,
) -> (String, bool) {
    let remote = Arc::new(AtomicBool::new(false));
    let seen = remote.clone();
    let inline = inline.clone();
    let mut b = ammonia::Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .generic_attributes(
            ["align", "dir", "lang", "title", "style"]
                .into_iter()
                .collect(),
        )
        .tag_attributes(
            [
                ("a", ["href", "name"].as_slice()),
                ("img", &["src", "alt", "width", "height", "border"]),
                (
                    "table",
                    &[
                        "width",
                        "border",
                        "cellpadding",
                        "cellspacing",
                        "bgcolor",
                        "summary",
                    ],
                ),
                (
                    "td",
                    &[
                        "colspan", "rowspan", "width", "height", "valign", "bgcolor", "nowrap",
                    ],
                ),
                (
                    "th",
                    &[
                        "colspan", "rowspan", "width", "height", "valign", "bgcolor", "scope",
                    ],
                ),
                ("tr", &["valign", "bgcolor"]),
                ("col", &["span", "width"]),
                ("colgroup", &["span", "width"]),
                ("font", &["color", "face", "size"]),
                ("ol", &["start", "type"]),
                ("li", &["value"]),
                ("time", &["datetime"]),
            ]
            .into_iter()
            .map(|(t, a)| (t, a.iter().copied().collect::<HashSet<_>>()))
            .collect(),
        )
        .url_schemes(
            ["http", "https", "mailto", "cid", "data"]
                .into_iter()
                .collect(),
        )
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .set_tag_attribute_value("a", "target", "_blank")
        .strip_comments(true)
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
        .attribute_filter(move |element, attribute, value| {
            filter(element, attribute, value, allow_remote, &inline, &seen)
        });
    let clean = b.clean(html).to_string();
    (clean, remote.load(Ordering::Relaxed))
}

fn is_remote(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("http:") || u.starts_with("https:") || u.starts_with("//")
}

fn filter<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
    allow_remote: bool,
    inline: &HashMap<String, String>,
    seen: &AtomicBool,
) -> Option<Cow<'u, str>> {
    let lower = value.trim().to_ascii_lowercase();
    match (element, attribute) {
        ("img", "src") => {
            if let Some(cid) = lower.strip_prefix("cid:") {
                let key = value.trim()[4..].trim_matches(['<', '>']);
                return inline
                    .get(key)
                    .or_else(|| inline.get(cid))
                    .map(|d| Cow::Owned(d.clone()));
            }
            if lower.starts_with("data:image/") && !lower.starts_with("data:image/svg") {
                return Some(Cow::Borrowed(value));
            }
            if is_remote(value) {
                seen.store(true, Ordering::Relaxed);
                return allow_remote.then_some(Cow::Borrowed(value));
            }
            None
        }
        ("a", "href") => (lower.starts_with("http:")
            || lower.starts_with("https:")
            || lower.starts_with("mailto:"))
        .then_some(Cow::Borrowed(value)),
        (_, "style") => {
            // Belt and braces: the property allow-list already drops url()-bearing properties.
            let bad = [
                "url(",
                "expression",
                "behavior",
                "@import",
                "javascript:",
                "-moz-binding",
                "image-set(",
            ];
            if bad.iter().any(|b| lower.contains(b)) {
                if lower.contains("url(") {
                    seen.store(true, Ordering::Relaxed);
                }
                let kept: Vec<&str> = value
                    .split(';')
                    .filter(|decl| {
                        let d = decl.to_ascii_lowercase();
                        !bad.iter().any(|b| d.contains(b))
                    })
                    .collect();
                return Some(Cow::Owned(kept.join(";")));
            }
            Some(Cow::Borrowed(value))
        }
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Wraps sanitized HTML in a document whose own CSP forbids everything but inline styles and
/// images (`data:` only, unless remote content was allowed). The sandbox and this CSP hold
/// even if the sanitizer missed something.
pub fn document(clean: &str, allow_remote: bool) -> String {
    let img = if allow_remote {
        "data: https: http:"
    } else {
        "data:"
    };
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src {img}; style-src 'unsafe-inline'; font-src data:\">\
<meta name=\"referrer\" content=\"no-referrer\">\
<style>html{{color-scheme:light}}body{{margin:0;padding:16px;font:14px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;\
color:#1b1b1f;background:#fff;overflow-wrap:anywhere}}img{{max-width:100%;height:auto}}table{{max-width:100%}}\
blockquote{{margin:0 0 0 .5em;padding-left:.8em;border-left:3px solid #c8c8d0;color:#555}}</style></head><body>{clean}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(html: &str, allow: bool) -> (String, bool) {
        sanitize(html, allow, &HashMap::new())
    }

    #[test]
    fn scripts_handlers_and_bad_urls_go() {
        let (c, _) = clean(
            r#"<p onclick="x()">hi<script>alert(1)</script></p><a href="javascript:alert(1)">j</a><a href="https://ok.example">ok</a><form><input></form><iframe src="https://e"></iframe><svg><script>1</script></svg>"#,
            false,
        );
        assert!(
            !c.contains("script")
                && !c.contains("onclick")
                && !c.contains("javascript")
                && !c.contains("<form"),
            "{c}"
        );
        assert!(!c.contains("iframe") && !c.contains("svg"), "{c}");
        assert!(
            c.contains(r#"href="https://ok.example""#) && c.contains(r#"target="_blank""#),
            "{c}"
        );
    }

    #[test]
    fn remote_images_blocked_until_allowed() {
        let html = r#"<img src="https://tracker.example/p.gif" width="1"><p style="color:red;background:url(https://t.example/x)">x</p>"#;
        let (c, remote) = clean(html, false);
        assert!(remote);
        assert!(
            !c.contains("tracker.example") && !c.contains("t.example"),
            "{c}"
        );
        assert!(c.contains("color:red"), "{c}");
        let (c, _) = clean(html, true);
        assert!(c.contains("https://tracker.example/p.gif"), "{c}");
        assert!(
            !c.contains("url("),
            "CSS urls stay out even when allowed: {c}"
        );
    }

    #[test]
    fn cid_images_come_from_the_message() {
        let mut inline = HashMap::new();
        inline.insert(
            "logo@x".to_string(),
            "data:image/png;base64,AAAA".to_string(),
        );
        let (c, remote) = sanitize(
            r#"<img src="cid:logo@x"><img src="cid:missing@x">"#,
            false,
            &inline,
        );
        assert!(!remote);
        assert!(c.contains("data:image/png;base64,AAAA"), "{c}");
        assert_eq!(c.matches("<img").count(), 2);
        assert!(!c.contains("cid:"), "{c}");
    }

    #[test]
    fn data_urls_only_for_raster_images() {
        let (c, _) = clean(
            r#"<a href="data:text/html,x">d</a><img src="data:image/svg+xml,<svg onload=1>">"#,
            false,
        );
        assert!(!c.contains("data:"), "{c}");
    }

    #[test]
    fn document_carries_a_strict_csp() {
        let d = document("<p>x</p>", false);
        assert!(d.contains("default-src 'none'; img-src data:;"));
        assert!(document("", true).contains("img-src data: https: http:"));
    }
}
