//! Links in mail: what a click may do (open in the browser, write a message, or nothing), whether
//! a link's text pretends to go somewhere else, and `mailto:` URLs reduced to the fields Tern
//! honours (RFC 6068), wherever they come from: a message or the OS.

use serde::{Deserialize, Serialize};
use url::Url;

/// What clicking a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkAction {
    /// `http`/`https`: the system browser.
    Browse,
    /// `mailto`: Tern's own compose, with [`Mailto`]'s fields only.
    Compose,
    /// Anything else (`file:`, `smb:`, `javascript:`, custom schemes): nothing, with a message.
    Refuse,
}

/// One link of a rendered message, in document order. The rendered HTML carries only an opaque
/// reference to it (see `sanitize`), so the page itself never holds the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The target as written in the message (trimmed).
    pub href: String,
    /// The lower-case scheme, without the colon; empty when there is none.
    pub scheme: String,
    pub action: LinkAction,
    /// The link's visible text (whitespace collapsed, at most 200 characters).
    pub text: String,
    /// The host the target goes to (http/https), or the address (mailto).
    pub target_host: String,
    /// The host or address the text shows when it differs from the target's: the user must see
    /// the real target and confirm. Empty when the text shows no host, or the same one.
    pub shown_host: String,
    /// For `mailto:` links, the fields a compose may take from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailto: Option<Mailto>,
}

impl Link {
    /// Classifies a link from its target and visible text.
    pub fn new(href: &str, text: &str) -> Link {
        let href = href.trim().to_string();
        let text = collapse(text, 200);
        let scheme = scheme_of(&href);
        let (action, target_host, mailto) = match scheme.as_str() {
            "http" | "https" => match Url::parse(&href).ok().and_then(|u| host_of(&u)) {
                Some(h) => (LinkAction::Browse, h, None),
                // "https:" with no host: nothing to open.
                None => (LinkAction::Refuse, String::new(), None),
            },
            "mailto" => match Mailto::parse(&href) {
                Ok(m) => {
                    let first = m.to.first().cloned().unwrap_or_default();
                    (LinkAction::Compose, first.to_ascii_lowercase(), Some(m))
                }
                Err(_) => (LinkAction::Refuse, String::new(), None),
            },
            _ => (LinkAction::Refuse, String::new(), None),
        };
        let shown_host = match action {
            LinkAction::Refuse => String::new(),
            _ => shown_host(&text)
                .filter(|shown| !same_host(shown, &target_host))
                .unwrap_or_default(),
        };
        Link {
            href,
            scheme,
            action,
            text,
            target_host,
            shown_host,
            mailto,
        }
    }
}

/// The scheme of a URL as a browser would read it: ASCII tab and newline removed, leading
/// control characters and spaces ignored (so `java\tscript:` is still `javascript`).
pub fn scheme_of(href: &str) -> String {
    let cleaned: String = href
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    match cleaned.split_once(':') {
        Some((s, _))
            if !s.is_empty()
                && s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            s.to_ascii_lowercase()
        }
        _ => String::new(),
    }
}

fn host_of(u: &Url) -> Option<String> {
    let h = u.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    (!h.is_empty()).then_some(h)
}

fn collapse(s: &str, max: usize) -> String {
    let mut out = String::new();
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out.chars().take(max).collect()
}

/// `www.bank.example` shows the same site as `bank.example`; anything else is another host.
fn same_host(a: &str, b: &str) -> bool {
    let strip = |h: &str| h.trim_start_matches("www.").to_string();
    strip(a) == strip(b)
}

/// The host (or address) a link's text shows, if it looks like one: `https://x.example/…`,
/// `www.x.example`, `x.example/path`, or `someone@x.example`.
fn shown_host(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | '"' | '\''));
    if t.contains(char::is_whitespace) || t.is_empty() {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    if let Some(addr) = lower.strip_prefix("mailto:").or(Some(lower.as_str())) {
        if let Some((local, domain)) = addr.split_once('@') {
            if !local.is_empty() && !local.contains('/') && looks_like_domain(domain) {
                return Some(addr.to_string());
            }
        }
    }
    let with_scheme = if lower.contains("://") {
        lower.clone()
    } else {
        format!("http://{lower}")
    };
    let u = Url::parse(&with_scheme).ok()?;
    let host = host_of(&u)?;
    // An address only counts when the text spells it out: "3.5" parses as 3.0.0.5.
    let ip_shown = !matches!(u.host(), Some(url::Host::Domain(_))) && lower.contains(&host);
    (looks_like_domain(&host) || ip_shown).then_some(host)
}

/// At least two labels and a last label of letters: `x.example`, not `3.5` or `v1`.
fn looks_like_domain(h: &str) -> bool {
    let labels: Vec<&str> = h.trim_end_matches('.').split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
        && labels
            .last()
            .is_some_and(|l| l.len() >= 2 && l.chars().all(|c| c.is_alphabetic() || c == '-'))
}

/// The parts of a `mailto:` URL Tern honours: recipients, subject and body. Every other field
/// (`attach`, `attachment`, `from`, `bcc`, `in-reply-to`, arbitrary headers) is dropped, so a
/// link can never attach a local file or set a header the user does not see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailto {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// Limits against mailto links built to exhaust memory or fill the compose window.
const MAX_RECIPIENTS: usize = 50;
const MAX_SUBJECT: usize = 998;
const MAX_BODY: usize = 100_000;

impl Mailto {
    /// Parses a `mailto:` URL (RFC 6068 §2). Addresses that do not look like addresses are
    /// dropped; a URL that is not `mailto:` is an error.
    pub fn parse(url: &str) -> Result<Mailto, String> {
        let url = url.trim();
        if scheme_of(url) != "mailto" {
            return Err("Not a mailto: link".into());
        }
        let rest = &url[url.find(':').map(|i| i + 1).unwrap_or(0)..];
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut m = Mailto::default();
        add_addresses(&mut m.to, &percent_decode(path));
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v);
            match percent_decode(k).to_ascii_lowercase().as_str() {
                "to" => add_addresses(&mut m.to, &v),
                "cc" => add_addresses(&mut m.cc, &v),
                "subject" if m.subject.is_empty() => {
                    // A subject is one line: a newline in it would start a new header.
                    m.subject = collapse(&v, MAX_SUBJECT);
                }
                "body" if m.body.is_empty() => {
                    m.body = v
                        .replace("\r\n", "\n")
                        .chars()
                        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
                        .take(MAX_BODY)
                        .collect();
                }
                // attach, attachment, bcc, from, in-reply-to, references and any other header.
                _ => {}
            }
        }
        Ok(m)
    }
}

fn add_addresses(list: &mut Vec<String>, s: &str) {
    for a in s.split(',') {
        let a = a.trim();
        let ok = a.len() <= 254
            && !a.chars().any(|c| c.is_control() || c.is_whitespace())
            && !a.contains(['<', '>', '"', '(', ')', ';', '\\'])
            && a.split_once('@').is_some_and(|(l, d)| {
                !l.is_empty() && !d.is_empty() && !d.contains('@') && !d.starts_with('.')
            });
        if ok && list.len() < MAX_RECIPIENTS && !list.iter().any(|x| x.eq_ignore_ascii_case(a)) {
            list.push(a.to_string());
        }
    }
}

/// Percent-decoding as RFC 3986 defines it, as UTF-8 (invalid sequences become U+FFFD).
/// Works on bytes, so a `%` before a multi-byte character is kept as it is.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[path = "links_tests.rs"]
mod tests;
