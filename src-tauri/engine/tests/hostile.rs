//! The hostile-mail corpus (`tests/hostile/*.eml`) through the reader's path, with no server and
//! no app: every message parsed and rendered with remote content blocked must hold no script,
//! no handler, no dangerous or remote URL in any attribute, and stay the same when sanitized
//! again; with remote content allowed, its remote images (and only those) come back.

use std::collections::HashMap;
use std::path::PathBuf;
use tern_engine::links::LinkAction;
use tern_engine::message::{MessageDetail, MessageSummary};
use tern_engine::render::{self, MessageView};
use tern_engine::sanitize::{sanitize, LINK_BASE};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile");
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

fn render(i: usize, raw: &[u8], allow: bool) -> MessageView {
    let detail = MessageDetail {
        summary: MessageSummary {
            id: i as i64 + 1,
            folder_id: 1,
            uid: i as u32 + 1,
            flags: 0,
            subject: String::new(),
            from: None,
            date: 0,
            size: raw.len() as u32,
            snippet: String::new(),
            has_attachments: false,
            thread_id: 0,
        },
        to: vec![],
        cc: vec![],
        reply_to: vec![],
        message_id: String::new(),
        in_reply_to: String::new(),
        references: vec![],
        parts: vec![],
        body: Some(tern_engine::mime::parse(raw)),
    };
    render::view(&detail, raw, allow)
}

/// The sanitized fragment inside the document `render::document` built.
fn fragment(doc: &str) -> &str {
    let start = doc.find("<body>").map(|i| i + 6).unwrap_or(0);
    let end = doc.rfind("</body></html>").unwrap_or(doc.len());
    &doc[start..end]
}

/// Every tag's name and attributes, from html5ever's serialization (attribute values are
/// always double-quoted, with `"` escaped).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        let mut quoted = false;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '>' if !quoted => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let tag = &rest[..end];
        rest = &rest[(end + 1).min(rest.len())..];
        let name_end = tag
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(tag.len());
        let name = tag[..name_end].to_ascii_lowercase();
        let mut attrs = Vec::new();
        let mut a = tag[name_end..].trim_start();
        while !a.is_empty() && !a.starts_with('/') {
            let n_end = a.find(['=', ' ']).unwrap_or(a.len());
            let attr = a[..n_end].to_ascii_lowercase();
            a = &a[n_end..];
            let mut value = String::new();
            if let Some(v) = a.strip_prefix("=\"") {
                let close = v.find('"').unwrap_or(v.len());
                value = v[..close].to_string();
                a = &v[(close + 1).min(v.len())..];
            }
            attrs.push((attr, value));
            a = a.trim_start();
        }
        out.push((name, attrs));
    }
    out
}

const ALLOWED_ATTRS: &[&str] = &[
    "align",
    "dir",
    "lang",
    "title",
    "style",
    "href",
    "name",
    "target",
    "rel",
    "src",
    "alt",
    "width",
    "height",
    "border",
    "cellpadding",
    "cellspacing",
    "bgcolor",
    "summary",
    "colspan",
    "rowspan",
    "valign",
    "nowrap",
    "scope",
    "span",
    "color",
    "face",
    "size",
    "start",
    "type",
    "value",
    "datetime",
];

const FORBIDDEN_TAGS: &[&str] = &[
    "script", "style", "link", "meta", "base", "iframe", "frame", "frameset", "object", "embed",
    "applet", "form", "input", "button", "textarea", "select", "svg", "math", "template", "video",
    "audio", "source", "picture", "portal", "noscript", "title", "image", "x-widget",
];

/// Checks one rendered fragment with remote content blocked; returns the problems found.
fn problems(name: &str, html: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for (tag, attrs) in tags(html) {
        let t = tag.trim_start_matches('/');
        if FORBIDDEN_TAGS.contains(&t) {
            bad.push(format!("{name}: <{tag}>"));
        }
        for (a, v) in attrs {
            let lv = v.to_ascii_lowercase();
            if !ALLOWED_ATTRS.contains(&a.as_str()) {
                bad.push(format!("{name}: attribute {a}=\"{v}\" on <{tag}>"));
            }
            match a.as_str() {
                "href" if !v.starts_with(LINK_BASE) => {
                    bad.push(format!("{name}: href not a link reference: {v}"))
                }
                "src" if !lv.starts_with("data:image/") => bad.push(format!("{name}: src {v}")),
                "src" if lv.starts_with("data:image/svg") => {
                    bad.push(format!("{name}: SVG image {v}"))
                }
                "style" => {
                    for word in ["url(", "expression", "behavior", "@import", "http", "\\"] {
                        if lv.contains(word) {
                            bad.push(format!("{name}: style {v}"));
                        }
                    }
                }
                _ => {}
            }
            for word in ["javascript:", "vbscript:", "hostile.invalid", "//"] {
                if lv.contains(word) && a != "title" && a != "alt" && a != "href" {
                    bad.push(format!("{name}: {a}=\"{v}\" holds {word}"));
                }
            }
        }
    }
    bad
}

#[test]
fn the_corpus_is_big_enough() {
    assert!(corpus().len() >= 40, "{} messages", corpus().len());
}

#[test]
fn blocked_rendering_is_inert() {
    let mut bad = Vec::new();
    for (i, (name, raw)) in corpus().iter().enumerate() {
        let v = render(i, raw, false);
        assert!(!v.remote_allowed, "{name}");
        if v.html.is_empty() {
            continue;
        }
        assert!(
            v.html
                .contains("content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'\""),
            "{name}: the document's CSP is not the blocked one"
        );
        let frag = fragment(&v.html);
        bad.extend(problems(name, frag));
        for l in &v.links {
            let ok = match l.action {
                LinkAction::Browse => matches!(l.scheme.as_str(), "http" | "https"),
                LinkAction::Compose => l.scheme == "mailto",
                LinkAction::Refuse => !matches!(l.scheme.as_str(), "http" | "https" | "mailto"),
            };
            if !ok {
                bad.push(format!("{name}: link {l:?}"));
            }
            // Recipients only from to/cc, nothing attached, the subject one line of text.
            if let Some(m) = &l.mailto {
                let all = format!("{m:?}");
                let recipients = format!("{:?}{:?}", m.to, m.cc);
                if all.contains("passwd")
                    || all.contains("id_rsa")
                    || recipients.contains("spy@")
                    || m.subject.contains(['\r', '\n'])
                {
                    bad.push(format!("{name}: mailto kept {all}"));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn sanitizing_the_output_again_changes_nothing() {
    for (i, (name, raw)) in corpus().iter().enumerate() {
        let v = render(i, raw, false);
        if v.html.is_empty() {
            continue;
        }
        let once = fragment(&v.html);
        let again = sanitize(once, false, &HashMap::new(), &(i + 1).to_string());
        assert_eq!(once, again.html, "{name}");
        assert_eq!(again.links.len(), v.links.len(), "{name}");
    }
}

#[test]
fn allowing_remote_content_brings_back_remote_images_only() {
    let mut with_remote = 0;
    for (i, (name, raw)) in corpus().iter().enumerate() {
        let blocked = render(i, raw, false);
        let allowed = render(i, raw, true);
        assert_eq!(
            blocked.has_remote_content, allowed.has_remote_content,
            "{name}"
        );
        if !allowed.has_remote_content {
            assert_eq!(blocked.html, allowed.html, "{name}");
            continue;
        }
        with_remote += 1;
        assert!(allowed.remote_allowed, "{name}");
        let frag = fragment(&allowed.html);
        let remote_srcs: Vec<String> = tags(frag)
            .into_iter()
            .flat_map(|(_, a)| a)
            .filter(|(a, v)| a == "src" && !v.starts_with("data:"))
            .map(|(_, v)| v)
            .collect();
        assert!(!remote_srcs.is_empty(), "{name}: no remote image kept");
        for src in &remote_srcs {
            assert!(
                src.starts_with("http://hostile.invalid/")
                    || src.starts_with("https://hostile.invalid/"),
                "{name}: {src}"
            );
        }
        // The CSP names exactly the origins of the images kept.
        assert!(
            allowed.html.contains("img-src data: http")
                && allowed.html.contains("hostile.invalid;"),
            "{name}: {}",
            &allowed.html[..400.min(allowed.html.len())]
        );
        // Nothing but img src may change: the other attributes are as blocked.
        let strip = |h: &str| -> Vec<(String, Vec<(String, String)>)> {
            tags(h)
                .into_iter()
                .map(|(t, a)| {
                    // Attribute order is the sanitizer's business, not the page's.
                    let mut a: Vec<_> = a.into_iter().filter(|(n, _)| n != "src").collect();
                    a.sort();
                    (t, a)
                })
                .collect()
        };
        assert_eq!(strip(frag), strip(fragment(&blocked.html)), "{name}");
    }
    assert!(
        with_remote >= 3,
        "only {with_remote} corpus messages have remote images"
    );
    let (name, raw) = corpus()
        .into_iter()
        .find(|(n, _)| n.contains("remote-image-allowed"))
        .expect("the allowed-remote message");
    let v = render(0, &raw, true);
    assert!(
        v.html
            .contains("src=\"http://hostile.invalid/px/45/allowed.gif\""),
        "{name}"
    );
}

#[test]
fn attachment_names_are_safe() {
    for (name, raw) in corpus() {
        for i in 0..20 {
            let Some((file, _, _)) = tern_engine::mime::attachment(&raw, i) else {
                break;
            };
            assert!(
                !file.is_empty()
                    && !file.contains(['/', '\\', ':'])
                    && !file.starts_with('.')
                    && !file.chars().any(|c| c.is_control() || is_bidi(c)),
                "{name}: attachment {i} saved as {file:?}"
            );
            let stem = file.split('.').next().unwrap_or("").to_ascii_uppercase();
            assert!(
                !["CON", "PRN", "AUX", "NUL"].contains(&stem.as_str()),
                "{name}: {file}"
            );
        }
    }
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

#[test]
fn the_checks_see_what_they_look_for() {
    // The checker itself, on markup the sanitizer must never produce.
    for bad in [
        r#"<img src="http://hostile.invalid/x.gif">"#,
        r#"<p onclick="x">a</p>"#,
        r#"<a href="javascript:x">a</a>"#,
        r#"<a href="https://x.example/">a</a>"#,
        r#"<p style="background:url(x)">a</p>"#,
        r#"<img src="data:image/svg+xml,x">"#,
        r#"<img srcset="http://hostile.invalid/x 1x">"#,
        "<script>x</script>",
        "<form></form>",
    ] {
        assert!(!problems("self-check", bad).is_empty(), "{bad}");
    }
    let html = corpus()
        .iter()
        .enumerate()
        .filter(|(i, (_, raw))| !render(*i, raw, false).html.is_empty())
        .count();
    // Most of the corpus must reach the sanitizer, or the checks above prove little.
    assert!(html >= 38, "only {html} corpus messages render as HTML");
}
