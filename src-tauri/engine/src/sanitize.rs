//! Mail HTML made harmless with ammonia under an explicit allow-list: no script, handlers, forms,
//! frames, SVG/MathML, `<style>`, `<link>`, `<meta>` or `<base>`; CSS only from a property
//! allow-list with nothing that can load; remote images only when allowed; and every link
//! replaced by an opaque reference, so the page never holds a target a click could reach
//! without passing Tern's checks (see [`crate::links`]).

use crate::links::Link;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use url::Url;

/// Links in rendered mail point here: `LINK_BASE<reference>/<index>`. The `.invalid` top-level
/// domain never resolves (RFC 2606), and the shell catches the click before any load.
pub const LINK_BASE: &str = "https://link.tern.invalid/";

/// Sanitized mail HTML and what the sanitizer saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sanitized {
    /// The clean fragment.
    pub html: String,
    /// The message refers to remote images (whether or not they were kept).
    pub remote: bool,
    /// Origins of the remote images kept (only when remote content was allowed), for the
    /// document's CSP.
    pub remote_origins: BTreeSet<String>,
    /// Every link, numbered as the fragment refers to it.
    pub links: Vec<Link>,
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

/// Elements removed together with everything inside them: their content is code, styling,
/// or markup whose text would only confuse (an SVG's script, a form's options).
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "title", "template", "noscript", "noembed", "noframes", "xmp", "iframe",
    "object", "embed", "applet", "svg", "math", "select", "textarea", "frameset", "head",
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

/// Schemes ammonia lets through to our filter, which decides. Links with these schemes become
/// references so a click can say why nothing opens; `img src` keeps only `cid:`, raster `data:`
/// and (when allowed) web URLs. A link with a scheme not listed simply loses its target.
const SCHEMES_SEEN: &[&str] = &[
    "http",
    "https",
    "mailto",
    "cid",
    "data",
    "javascript",
    "vbscript",
    "livescript",
    "file",
    "smb",
    "cifs",
    "nfs",
    "afp",
    "ftp",
    "ftps",
    "sftp",
    "ssh",
    "telnet",
    "tel",
    "sms",
    "news",
    "nntp",
    "irc",
    "ircs",
    "ldap",
    "ldaps",
    "webcal",
    "jar",
    "blob",
    "filesystem",
    "about",
    "chrome",
    "intent",
    "gopher",
    "ms-msdt",
    "search-ms",
    "search",
    "ms-word",
    "ms-excel",
    "ms-powerpoint",
    "ms-officecmd",
    "ms-settings",
    "ms-appinstaller",
    "itms-services",
    "skype",
    "zoommtg",
    "steam",
    "vnc",
    "rdp",
    "x-apple-data-detectors",
];

/// Declarations containing any of these are dropped from `style` attributes. The property
/// allow-list already excludes everything that takes `url()`; this also catches a value that
/// smuggles one in, and backslash escapes (`u\72l(`), which no honest mail needs.
const CSS_BANNED: &[&str] = &[
    "url(",
    "expression",
    "behavior",
    "behaviour",
    "@import",
    "javascript:",
    "-moz-binding",
    "image-set(",
    "image(",
    "cross-fade(",
    "element(",
    "src(",
    "\\",
    "/*",
];

/// What the attribute filter collects while ammonia walks the tree.
#[derive(Default)]
struct Seen {
    remote: bool,
    origins: BTreeSet<String>,
    hrefs: Vec<String>,
}

/// Sanitizes mail HTML. `link_ref` names the message in link references (its id), so a click
/// can be traced back to the [`Link`] it came from.
pub fn sanitize(
    html: &str,
    allow_remote: bool,
    inline: &HashMap<String, String>,
    link_ref: &str,
) -> Sanitized {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let sink = seen.clone();
    let inline = inline.clone();
    let prefix = format!("{LINK_BASE}{link_ref}/");
    let filter_prefix = prefix.clone();
    let mut b = ammonia::Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(
            ["align", "dir", "lang", "title", "style"]
                .into_iter()
                .collect(),
        )
        .tag_attributes(tag_attributes())
        .url_schemes(SCHEMES_SEEN.iter().copied().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .set_tag_attribute_value("a", "target", "_blank")
        .strip_comments(true)
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
        .attribute_filter(move |element, attribute, value| {
            let mut seen = match sink.lock() {
                Ok(s) => s,
                Err(poisoned) => poisoned.into_inner(),
            };
            filter(
                element,
                attribute,
                value,
                allow_remote,
                &inline,
                &filter_prefix,
                &mut seen,
            )
        });
    // Deep nesting costs the parser time in proportion to depth for every tag.
    let html = crate::html_depth::limit(html, crate::html_depth::MAX_DEPTH);
    let clean = b.clean(&html).to_string();
    let seen = match seen.lock() {
        Ok(mut s) => std::mem::take(&mut *s),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    let texts = link_texts(&clean, &prefix);
    let links = seen
        .hrefs
        .iter()
        .enumerate()
        .map(|(i, href)| Link::new(href, texts.get(&i).map(String::as_str).unwrap_or("")))
        .collect();
    Sanitized {
        html: clean,
        remote: seen.remote,
        remote_origins: seen.origins,
        links,
    }
}

/// HTML for Tern's own editor (a draft reopened from the Drafts folder, which another client
/// or a server rule may have filled): the same allow-list with remote images dropped, and links
/// back to their targets where they are web or mail links (the editor is no frame: nothing in it
/// may load or run, and it has no link references to resolve).
pub fn for_editing(html: &str) -> String {
    const REF: &str = "draft";
    let s = sanitize(html, false, &HashMap::new(), REF);
    let mut out = s.html;
    // Highest index first, so `…/1` is never replaced inside `…/10`.
    for (i, link) in s.links.iter().enumerate().rev() {
        let reference = format!(" href=\"{LINK_BASE}{REF}/{i}\"");
        let target = match link.action {
            crate::links::LinkAction::Refuse => String::new(),
            _ => format!(
                " href=\"{}\"",
                link.href.replace('&', "&amp;").replace('"', "&quot;")
            ),
        };
        out = out.replace(&reference, &target);
    }
    out
}

fn tag_attributes() -> HashMap<&'static str, HashSet<&'static str>> {
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
    .map(|(t, a)| (t, a.iter().copied().collect()))
    .collect()
}

fn is_remote(lower: &str) -> bool {
    lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//")
}

fn filter<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
    allow_remote: bool,
    inline: &HashMap<String, String>,
    link_prefix: &str,
    seen: &mut Seen,
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
            // Raster images only: an SVG image can carry script and load more.
            let raster = ["png", "jpeg", "jpg", "gif", "webp", "bmp"];
            if raster
                .iter()
                .any(|t| lower.starts_with(&format!("data:image/{t};")))
            {
                return Some(Cow::Borrowed(value));
            }
            if is_remote(&lower) {
                seen.remote = true;
                if !allow_remote {
                    return None;
                }
                let url = Url::parse(value.trim()).ok()?;
                seen.origins.insert(url.origin().ascii_serialization());
                return Some(Cow::Owned(url.to_string()));
            }
            None
        }
        ("a", "href") => {
            seen.hrefs.push(value.trim().to_string());
            Some(Cow::Owned(format!("{link_prefix}{}", seen.hrefs.len() - 1)))
        }
        (_, "style") => Some(clean_style(value)),
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Drops every declaration of a `style` attribute that could load something or run code.
fn clean_style(value: &str) -> Cow<'_, str> {
    let lower = value.to_ascii_lowercase();
    if !CSS_BANNED.iter().any(|b| lower.contains(b)) {
        return Cow::Borrowed(value);
    }
    let kept: Vec<&str> = value
        .split(';')
        .filter(|decl| {
            let d = decl.to_ascii_lowercase();
            !CSS_BANNED.iter().any(|b| d.contains(b))
        })
        .collect();
    let kept = kept.join(";");
    // A `;` inside a quoted or escaped value could split a banned token across declarations;
    // if anything banned survives the split, drop the whole attribute.
    if CSS_BANNED
        .iter()
        .any(|b| kept.to_ascii_lowercase().contains(b))
    {
        return Cow::Borrowed("");
    }
    Cow::Owned(kept)
}

/// The visible text of each link reference in a sanitized fragment. The fragment is html5ever's
/// serialization, so its grammar is simple: tags whose attribute values are double-quoted,
/// text with `&`, `<` and `>` escaped, no comments. Text inside nested links counts for each.
fn link_texts(clean: &str, prefix: &str) -> HashMap<usize, String> {
    let mut texts: HashMap<usize, String> = HashMap::new();
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut rest = clean;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            add_text(&mut texts, &open, rest);
            break;
        };
        add_text(&mut texts, &open, &rest[..lt]);
        rest = &rest[lt..];
        // The tag ends at the first '>' outside a quoted attribute value.
        let mut quoted = false;
        let mut end = rest.len();
        for (i, c) in rest.char_indices().skip(1) {
            match c {
                '"' => quoted = !quoted,
                '>' if !quoted => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        let tag = &rest[..end];
        rest = &rest[end..];
        if tag.starts_with("<a ") || tag == "<a>" {
            let index = tag
                .find(&format!("href=\"{prefix}"))
                .map(|i| &tag[i + 6 + prefix.len()..])
                .and_then(|s| s.split('"').next())
                .and_then(|n| n.parse::<usize>().ok());
            open.push(index);
        } else if tag == "</a>" {
            open.pop();
        } else if tag.starts_with("<img ") {
            // An image's alt text is what a link made of an image "says".
            if let Some(alt) = tag
                .find(" alt=\"")
                .and_then(|i| tag[i + 6..].split('"').next())
            {
                add_text(&mut texts, &open, &format!(" {alt} "));
            }
        }
    }
    texts
}

fn add_text(texts: &mut HashMap<usize, String>, open: &[Option<usize>], escaped: &str) {
    if escaped.is_empty() || open.iter().all(Option::is_none) {
        return;
    }
    let text = escaped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    for i in open.iter().flatten() {
        let t = texts.entry(*i).or_default();
        // Enough to read a host from; a link's text beyond this is of no use.
        if t.len() < 4096 {
            t.push_str(&text);
        }
    }
}

#[cfg(test)]
#[path = "sanitize_tests.rs"]
mod tests;
