//! A guard in front of the HTML parser: tags nested deeper than a limit are dropped (their text
//! kept). html5ever checks element scopes by walking the stack of open elements, so each tag
//! costs time in proportion to the nesting depth; 50,000 nested `<div>`s would keep the reader
//! busy for minutes. The result still goes through the sanitizer, so this pass only decides
//! which tags the parser sees, never what is safe.

use std::borrow::Cow;

/// Deeper than any honest mail (nested layout tables rarely pass 40).
pub const MAX_DEPTH: usize = 200;

/// Elements that never have content, so they do not nest.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "image", "isindex", "bgsound", "basefont", "frame",
];

/// Elements whose end tag is optional and that close their like (`<p><p>`, `<li><li>`), so an
/// unclosed run of them is not deep nesting.
const SELF_CLOSING_KIN: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot",
    "colgroup", "caption", "rb", "rt", "rp", "rtc",
];

/// Elements whose content is text up to their end tag, not markup.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// `html` with every tag nested deeper than `max` removed (as estimated from the tags alone;
/// the parser's own rules may nest less). Unchanged, and not copied, when nothing is that deep.
pub fn limit(html: &str, max: usize) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut depth = 0usize;
    // The depth at each open `<svg>`/`<math>`.
    let mut foreign_at: Vec<usize> = Vec::new();
    let mut i = 0;
    let bytes = html.as_bytes();
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let tag_end = tag_end(html, start);
        let tag = &html[start..tag_end];
        let (name, closing) = tag_name(tag);
        let mut drop = false;
        let mut skip_to = tag_end;
        if tag.starts_with("<!--") {
            skip_to = html[start + 4..]
                .find("-->")
                .map(|j| start + 4 + j + 3)
                .unwrap_or(html.len());
        } else if !name.is_empty() && !VOID.contains(&name.as_str()) {
            let kin = SELF_CLOSING_KIN.contains(&name.as_str());
            let foreign = name == "svg" || name == "math";
            if closing {
                drop = depth > max;
                if !kin {
                    depth = depth.saturating_sub(1);
                }
                // `<path/>` and the like close themselves inside SVG/MathML but were counted
                // below; the end of the region gives their depth back.
                if foreign {
                    if let Some(d) = foreign_at.pop() {
                        depth = d;
                    }
                }
            } else {
                // `<x/>` counts as opening: in HTML the slash is ignored, and which content
                // model applies is the parser's business. Over-counting only cuts sooner.
                if foreign {
                    foreign_at.push(depth);
                }
                if !kin {
                    depth += 1;
                }
                drop = depth > max;
                if RAW_TEXT.contains(&name.as_str()) {
                    // Its text runs to the matching end tag, which the next round sees.
                    let close = format!("</{name}");
                    skip_to = find_ci(html, tag_end, &close).unwrap_or(html.len());
                }
            }
        }
        if drop {
            // Keep the text before the dropped tag.
            match out.as_mut() {
                Some(o) => o.push_str(&html[i..start]),
                None => out = Some(html[..start].to_string()),
            }
            // A dropped raw-text element's text goes too: it was never meant to be read.
            i = if skip_to > tag_end && !closing {
                skip_to
            } else {
                tag_end
            };
            continue;
        }
        if let Some(o) = out.as_mut() {
            o.push_str(&html[i..skip_to.max(tag_end)]);
        }
        i = skip_to.max(tag_end);
        if i >= bytes.len() {
            break;
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&html[i.min(html.len())..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(html),
    }
}

/// The index just past the `>` that ends the tag starting at `start`, skipping quoted values.
fn tag_end(html: &str, start: usize) -> usize {
    let mut quote: Option<u8> = None;
    for (j, &c) in html.as_bytes()[start + 1..].iter().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'>') => return start + 1 + j + 1,
            _ => {}
        }
    }
    html.len()
}

/// The lower-case element name of a tag and whether it is an end tag; empty for `<!…>`, `<?…>`
/// and a lone `<`.
fn tag_name(tag: &str) -> (String, bool) {
    let rest = &tag[1..];
    let (rest, closing) = match rest.strip_prefix('/') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return (String::new(), false);
    }
    let name: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
        .collect();
    (name.to_ascii_lowercase(), closing)
}

/// The first case-insensitive occurrence of an ASCII `needle` at or after `from`.
fn find_ci(hay: &str, from: usize, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    (from..h.len().saturating_sub(n.len() - 1)).find(|&k| h[k..k + n.len()].eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_html_is_untouched() {
        let html = "<table><tr><td><p>a<p>b<ul><li>x<li>y</ul></td></tr></table><img src=x><br>\
<script>if (a<b) '<div>'</script><!-- <div><div> --><svg><path/><path/></svg><div><div></div></div>";
        assert!(matches!(limit(html, 3), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_tags_go_and_their_text_stays() {
        let html = format!("{}x{}y", "<div>".repeat(10), "</div>".repeat(10));
        let out = limit(&html, 4);
        assert_eq!(
            out,
            format!("{}x{}y", "<div>".repeat(4), "</div>".repeat(4))
        );
    }

    #[test]
    fn unclosed_deep_nesting_is_cut() {
        let html = format!("{}<b>deep</b>", "<span><i>".repeat(1000));
        let out = limit(&html, MAX_DEPTH);
        assert_eq!(out.matches('<').count(), MAX_DEPTH);
        assert!(out.ends_with("deep"));
    }

    #[test]
    fn quotes_and_raw_text_do_not_confuse_it() {
        let html = r#"<div title="<div><div><div>"><script>"<div><div><div>"</script></div>"#;
        assert!(matches!(limit(html, 2), Cow::Borrowed(_)));
        let html = "<div><div><style>p{}</style></div></div>";
        assert_eq!(limit(html, 1), "<div></div>");
    }

    #[test]
    fn text_between_dropped_tags_stays() {
        assert_eq!(limit("<b>1<i>2<u>3</u>4</i>5</b>6", 0), "123456");
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for html in [
            "<",
            "<div",
            "<div title='x",
            "</",
            "<!--",
            "<script>never closed",
            "é<é>",
            "<<>>",
        ] {
            let _ = limit(html, 0);
            let _ = limit(html, 5);
        }
    }
}
