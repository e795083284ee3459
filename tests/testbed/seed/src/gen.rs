//! Deterministic generation of realistic RFC 5322 messages.
//!
//! Everything about message `i` (sender, subject, thread position, body,
//! attachments, flags) is a pure function of (seed, i). Only the Date depends
//! on the batch (start index, count, `now`), so that dates increase with the
//! index across the batch.

use crate::data::*;
use crate::mime::{self, WordEnc};
use crate::rng::{key, Rng};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::rc::Rc;

/// Marks "the mailbox owner" instead of a pool index.
const OWNER: usize = usize::MAX;
const POOL_SIZE: usize = 320;
/// Percentage of messages that are replies (roots with replies make up
/// the rest of the ~1/3 of messages that belong to threads).
const REPLY_PCT: u64 = 20;
/// How far back (in index) a reply may look for its parent.
const REPLY_WINDOW: u64 = 40;
const TZ_OFFSETS: &[i32] = &[
    0, 60, 120, -300, -240, -420, -480, 330, 540, 600, -180, 60, 0, 120,
];

pub struct Person {
    pub name: String,
    pub email: String,
    pub tz: i32,
}

/// Options that change what is generated.
pub struct Options {
    pub seed: u64,
    pub text_only: bool,
    pub owner: Person,
}

/// Word lists, people, and the per-thread memo of message metadata.
pub struct Generator<'a> {
    opts: &'a Options,
    words: Vec<&'static str>,
    words_utf8: Vec<&'static str>,
    words_latin1: Vec<&'static str>,
    people: Rc<Vec<Person>>,
    memo: HashMap<u64, Rc<Meta>>,
}

/// Header-level facts about a message that later replies need.
struct Meta {
    from: usize,
    to: Vec<usize>,
    subject: Rc<str>,
    msgid: Rc<str>,
    /// Message-IDs of the ancestors, oldest first (capped).
    refs: Vec<Rc<str>>,
    list: Option<usize>,
    reply: bool,
}

/// One generated message.
pub struct Message {
    pub bytes: Vec<u8>,
    /// Maildir flags, already in ASCII order (e.g. "FS", "RS", "").
    pub flags: String,
}

fn ascii_fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let r = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'Á' | 'Å' | 'Ä' | 'À' => {
                "a"
            }
            'æ' | 'Æ' => "ae",
            'ç' | 'č' | 'ć' | 'Č' | 'Ç' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ę' | 'É' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'İ' => "i",
            'ł' | 'Ł' => "l",
            'ñ' | 'ń' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ø' | 'Ö' => "o",
            'ğ' => "g",
            'ř' => "r",
            'ß' => "ss",
            'š' | 'ś' | 'Š' => "s",
            'ù' | 'ú' | 'û' | 'ü' | 'Ü' => "u",
            'ý' | 'ÿ' => "y",
            'ž' | 'ź' | 'ż' => "z",
            c if c.is_ascii_alphanumeric() => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            _ => "",
        };
        out.push_str(r);
    }
    out
}

/// The fixed pool of correspondents (the same for every seed).
pub fn people() -> Vec<Person> {
    (0..POOL_SIZE)
        .map(|k| {
            let mut rng = Rng::new(key(0x7E4E_5EED, k as u64, 0));
            let domain = *rng.pick(DOMAINS);
            let tz = *rng.pick(TZ_OFFSETS);
            if k % 23 == 7 {
                let (name, local) = SCRIPT_NAMES[(k / 23) % SCRIPT_NAMES.len()];
                return Person {
                    name: name.to_string(),
                    email: format!("{local}@{domain}"),
                    tz,
                };
            }
            // about one name in five has non-ASCII letters
            let plain = rng.chance(80);
            let pick_name = |rng: &mut Rng, list: &[&'static str]| loop {
                let n = *rng.pick(list);
                if !plain || is_ascii(n) {
                    break n;
                }
            };
            let first = pick_name(&mut rng, FIRST_NAMES);
            let last = pick_name(&mut rng, LAST_NAMES);
            let (f, l) = (ascii_fold(first), ascii_fold(last));
            let local = match rng.below(6) {
                0 => format!("{}{}", &f[..1], l),
                1 => f.clone(),
                2 => format!("{f}_{l}{}", rng.range(1, 99)),
                _ => format!("{f}.{l}"),
            };
            Person {
                name: format!("{first} {last}"),
                email: format!("{local}@{domain}"),
                tz,
            }
        })
        .collect()
}

fn is_ascii(s: &str) -> bool {
    s.bytes().all(|b| b < 128)
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Charset {
    Ascii,
    Utf8,
    Latin1,
}

impl<'a> Generator<'a> {
    pub fn new(opts: &'a Options, people: Rc<Vec<Person>>) -> Self {
        let words_utf8 = words(WORDS_UTF8);
        let words_latin1 = words_utf8
            .iter()
            .copied()
            .filter(|w| w.chars().all(|c| (c as u32) < 256))
            .collect();
        Generator {
            opts,
            words: words(WORDS),
            words_utf8,
            words_latin1,
            people,
            memo: HashMap::new(),
        }
    }

    fn person(&self, idx: usize) -> &Person {
        if idx == OWNER {
            &self.opts.owner
        } else {
            &self.people[idx]
        }
    }

    /// Skewed pick from the pool: a few people write a lot of the mail.
    fn pick_person(rng: &mut Rng) -> usize {
        let a = rng.below(POOL_SIZE as u64);
        let b = rng.below(POOL_SIZE as u64);
        if rng.chance(50) {
            (a * b / POOL_SIZE as u64) as usize
        } else {
            a as usize
        }
    }

    fn fill_template(&self, rng: &mut Rng, t: &str, list: &mut Option<usize>) -> String {
        let mut out = String::new();
        let mut rest = t;
        while let Some(p) = rest.find('{') {
            out.push_str(&rest[..p]);
            let end = rest[p..].find('}').unwrap() + p;
            match &rest[p + 1..end] {
                "w" => out.push_str(rng.pick::<&str>(&self.words)),
                "W" => out.push_str(&capitalize(rng.pick::<&str>(&self.words))),
                "n" => write!(out, "{}", rng.range(2, 99_999)).unwrap(),
                "day" => out.push_str(rng.pick::<&str>(DAYS)),
                "month" => out.push_str(rng.pick::<&str>(MONTHS_LONG)),
                "list" => {
                    let l = rng.below(LISTS.len() as u64) as usize;
                    *list = Some(l);
                    out.push_str(LISTS[l]);
                }
                other => out.push_str(other),
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn meta(&mut self, i: u64) -> Rc<Meta> {
        if let Some(m) = self.memo.get(&i) {
            return m.clone();
        }
        let seed = self.opts.seed;
        let mut rng = Rng::new(key(seed, i, 1));
        let hash = key(seed, i, 2);
        let reply = i >= 2 && rng.chance(REPLY_PCT);
        let m = if reply {
            let parent_idx = i - 2 - rng.below((i - 1).min(REPLY_WINDOW));
            let parent = self.meta(parent_idx);
            // someone the parent was sent to answers (reply-all style)
            let from = parent
                .to
                .iter()
                .copied()
                .find(|&p| p != OWNER && p != parent.from && rng.chance(60))
                .unwrap_or_else(|| Self::pick_person(&mut rng));
            let mut to = vec![parent.from];
            if parent.from != OWNER && !to.contains(&OWNER) {
                to.push(OWNER);
            }
            to.retain(|&p| p != from);
            if to.is_empty() {
                to.push(OWNER);
            }
            let mut refs = parent.refs.clone();
            refs.push(parent.msgid.clone());
            if refs.len() > 10 {
                // keep the root and the most recent ancestors, as MUAs do
                refs.drain(1..refs.len() - 9);
            }
            let domain = self
                .person(from)
                .email
                .rsplit('@')
                .next()
                .unwrap()
                .to_string();
            Meta {
                from,
                to,
                subject: parent.subject.clone(),
                msgid: format!("<{hash:016x}.{i}@{domain}>").into(),
                refs,
                list: parent.list,
                reply: true,
            }
        } else {
            let from = Self::pick_person(&mut rng);
            let mut to = vec![OWNER];
            for _ in 0..rng.below(3) {
                let p = Self::pick_person(&mut rng);
                if p != from && !to.contains(&p) {
                    to.push(p);
                }
            }
            let mut list = None;
            let subject = if rng.chance(25) {
                let s = *rng.pick(SUBJECTS_UTF8);
                self.fill_template(&mut rng, s, &mut list)
            } else {
                let t = *rng.pick(SUBJECT_TEMPLATES);
                let s = self.fill_template(&mut rng, t, &mut list);
                if rng.chance(2) {
                    format!("Fwd: {s}")
                } else {
                    s
                }
            };
            let domain = self
                .person(from)
                .email
                .rsplit('@')
                .next()
                .unwrap()
                .to_string();
            Meta {
                from,
                to,
                subject: subject.into(),
                msgid: format!("<{hash:016x}.{i}@{domain}>").into(),
                refs: Vec::new(),
                list,
                reply: false,
            }
        };
        let m = Rc::new(m);
        self.memo.insert(i, m.clone());
        // Replies only look REPLY_WINDOW+2 back; drop far older entries so the
        // memo stays small during long sequential runs.
        if self.memo.len() > 4096 {
            let low = i.saturating_sub(4 * REPLY_WINDOW);
            self.memo.retain(|&k, _| k + 1 >= low);
        }
        m
    }

    fn address(&self, rng: &mut Rng, idx: usize) -> String {
        let p = self.person(idx);
        if rng.chance(4) {
            return p.email.clone();
        }
        if is_ascii(&p.name) {
            if p.name.contains('\'') || rng.chance(8) {
                // "Last, First" style needs quoting
                let (first, last) = p.name.split_once(' ').unwrap_or((&p.name, ""));
                if last.is_empty() {
                    return format!("\"{}\" <{}>", p.name, p.email);
                }
                return format!("\"{last}, {first}\" <{}>", p.email);
            }
            return format!("{} <{}>", p.name, p.email);
        }
        let enc = match rng.below(10) {
            0..=4 => WordEnc::Utf8B,
            5..=7 => WordEnc::Utf8Q,
            _ => WordEnc::Latin1Q,
        };
        format!("{} <{}>", mime::encoded_words(&p.name, enc), p.email)
    }

    fn address_list(&self, rng: &mut Rng, people: &[usize], header: &str) -> String {
        let mut out = String::new();
        let mut col = header.len() + 2;
        for (k, &p) in people.iter().enumerate() {
            let a = self.address(rng, p);
            if k > 0 {
                out.push(',');
                if col + a.len() > 76 {
                    out.push_str("\n ");
                    col = 1;
                } else {
                    out.push(' ');
                    col += 2;
                }
            }
            col += a.len() - a.rfind('\n').map(|x| x + 1).unwrap_or(0);
            out.push_str(&a);
        }
        out
    }

    fn sentence(&self, rng: &mut Rng, charset: Charset, out: &mut String) {
        let n = rng.range(5, 18);
        for k in 0..n {
            let w = match charset {
                Charset::Utf8 if rng.chance(8) => rng.pick(&self.words_utf8),
                Charset::Latin1 if rng.chance(8) => rng.pick(&self.words_latin1),
                _ => rng.pick(&self.words),
            };
            if k == 0 {
                out.push_str(&capitalize(w));
            } else {
                out.push(' ');
                out.push_str(w);
            }
            if k + 1 < n && rng.chance(6) {
                out.push(',');
            }
        }
        out.push(match rng.below(20) {
            0..=1 => '?',
            2 => '!',
            _ => '.',
        });
    }

    fn paragraphs(&self, rng: &mut Rng, charset: Charset, target: usize) -> Vec<String> {
        let mut paras = Vec::new();
        let mut total = 0;
        while total < target {
            let mut p = String::new();
            for k in 0..rng.range(2, 6) {
                if k > 0 {
                    p.push(' ');
                }
                self.sentence(rng, charset, &mut p);
            }
            total += p.len() + 2;
            paras.push(p);
        }
        paras
    }

    /// Builds the message. `date_us` is the Date in microseconds since the
    /// epoch (UTC).
    pub fn message(&mut self, i: u64, date_us: i64) -> Message {
        let meta = self.meta(i);
        let mut rng = Rng::new(key(self.opts.seed, i, 3));
        let date = date_us.div_euclid(1_000_000);
        let from = self.person(meta.from);
        let date_str = mime::rfc5322_date(date, from.tz);
        let mut h = String::with_capacity(2048);

        // trace headers
        let from_domain = from.email.rsplit('@').next().unwrap();
        let owner_email = self.opts.owner.email.clone();
        let _ = writeln!(h, "Return-Path: <{}>", from.email);
        let _ = write!(
            h,
            "Received: from mail.{from_domain} (mail.{from_domain} [192.0.2.{}])\n\tby mx.example.com (Postfix) with ESMTPS id {:010X}\n\tfor <{owner_email}>; {}\n",
            rng.range(1, 254),
            key(self.opts.seed, i, 4) >> 24,
            mime::rfc5322_date(date + rng.range(1, 20) as i64, 0)
        );

        let _ = writeln!(h, "Date: {date_str}");
        let from_addr = self.address(&mut rng, meta.from);
        let _ = writeln!(h, "From: {from_addr}");
        let to = self.address_list(&mut rng, &meta.to, "To");
        let _ = writeln!(h, "To: {to}");
        if rng.chance(20) {
            let mut cc = Vec::new();
            for _ in 0..rng.range(1, 3) {
                let p = Self::pick_person(&mut rng);
                if p != meta.from && !meta.to.contains(&p) && !cc.contains(&p) {
                    cc.push(p);
                }
            }
            if !cc.is_empty() {
                let cc = self.address_list(&mut rng, &cc, "Cc");
                let _ = writeln!(h, "Cc: {cc}");
            }
        }

        let subject = if meta.reply {
            format!("Re: {}", meta.subject)
        } else {
            meta.subject.to_string()
        };
        let subject_hdr = if is_ascii(&subject) {
            mime::fold(&subject, 9)
        } else {
            let enc = match rng.below(20) {
                0..=8 => WordEnc::Utf8B,
                9..=15 => WordEnc::Utf8Q,
                _ => WordEnc::Latin1Q,
            };
            if meta.reply && rng.chance(50) {
                // many MUAs leave the "Re: " prefix unencoded
                format!("Re: {}", mime::encoded_words(&meta.subject, enc))
            } else {
                mime::encoded_words(&subject, enc)
            }
        };
        let _ = writeln!(h, "Subject: {subject_hdr}");
        let _ = writeln!(h, "Message-ID: {}", meta.msgid);
        if meta.reply {
            let _ = writeln!(h, "In-Reply-To: {}", meta.refs.last().unwrap());
            let refs: Vec<&str> = meta.refs.iter().map(|r| &**r).collect();
            let _ = writeln!(h, "References: {}", refs.join("\n "));
        }
        if let Some(l) = meta.list {
            let name = LISTS[l];
            let _ = write!(
                h,
                "List-Id: {} <{name}.lists.example.org>\nList-Unsubscribe: <mailto:{name}-unsubscribe@lists.example.org>, <https://lists.example.org/unsubscribe/{name}>\nList-Post: <mailto:{name}@lists.example.org>\nPrecedence: list\n",
                capitalize(name)
            );
        }
        if rng.chance(40) {
            let _ = writeln!(h, "User-Agent: {}", rng.pick(MAILERS));
        }
        h.push_str("MIME-Version: 1.0\n");

        // ---- body ----
        let charset = match rng.below(100) {
            0..=69 => Charset::Ascii,
            70..=94 => Charset::Utf8,
            _ => Charset::Latin1,
        };
        let kind = if self.opts.text_only {
            0
        } else {
            match rng.below(100) {
                0..=39 => 0,  // text/plain
                40..=59 => 1, // text/html
                _ => 2,       // multipart/alternative
            }
        };
        let mut target = match rng.below(100) {
            0..=9 => rng.log_range(300, 2000),
            10..=91 => rng.log_range(2000, 16_000),
            _ => rng.log_range(16_000, 40_000),
        } as usize;
        if kind == 2 {
            target /= 2;
        }
        let paras = self.paragraphs(&mut rng, charset, target);
        let to_first = {
            let p = self.person(meta.to[0]);
            p.name.split(' ').next().unwrap_or("there").to_string()
        };
        let from_first = from.name.split(' ').next().unwrap_or("").to_string();
        let from_name = from.name.clone();
        let greeting = rng.pick(GREETINGS).replace("{name}", &to_first);
        let closing = *rng.pick(CLOSINGS);
        let company = *rng.pick(COMPANIES);
        let quote = if meta.reply {
            let mut q = String::new();
            for _ in 0..rng.range(1, 3) {
                self.sentence(&mut rng, charset, &mut q);
                q.push(' ');
            }
            Some(q)
        } else {
            None
        };

        let mut text = String::with_capacity(target + 512);
        text.push_str(&greeting);
        text.push_str("\n\n");
        for p in &paras {
            wrap(p, 72, &mut text);
            text.push('\n');
        }
        let _ = writeln!(text, "{closing}\n{from_first}");
        if let Some(q) = &quote {
            let _ = write!(
                text,
                "\nOn {}, {} wrote:\n",
                mime::rfc5322_date(date - rng.range(600, 86_400 * 3) as i64, 0),
                to_first
            );
            let mut wrapped = String::new();
            wrap(q.trim_end(), 70, &mut wrapped);
            for line in wrapped.lines() {
                let _ = writeln!(text, "> {line}");
            }
        }
        if rng.chance(50) {
            let _ = writeln!(text, "\n-- \n{from_name}\n{company}");
        }

        let html = if kind >= 1 {
            let mut s = String::with_capacity(target * 2 + 512);
            s.push_str("<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n<style>body { font-family: Arial, Helvetica, sans-serif; font-size: 14px; } p { margin: 0 0 1em; }</style>\n</head>\n<body>\n");
            let _ = writeln!(s, "<p>{}</p>", html_escape(&greeting));
            for p in &paras {
                s.push_str("<p>");
                for (k, w) in p.split(' ').enumerate() {
                    if k > 0 {
                        s.push(' ');
                    }
                    let w = html_escape(w);
                    match rng.below(60) {
                        0 => {
                            let _ = write!(s, "<b>{w}</b>");
                        }
                        1 => {
                            let _ = write!(s, "<i>{w}</i>");
                        }
                        2 => {
                            let _ = write!(
                                s,
                                "<a href=\"https://www.example.com/{}/{}\">{w}</a>",
                                ascii_fold(&w),
                                rng.range(1, 9999)
                            );
                        }
                        _ => s.push_str(&w),
                    }
                }
                s.push_str("</p>\n");
            }
            let _ = write!(
                s,
                "<p>{}<br>\n{}</p>\n",
                html_escape(closing),
                html_escape(&from_first)
            );
            if let Some(q) = &quote {
                let _ = writeln!(
                    s,
                    "<blockquote type=\"cite\">{}</blockquote>",
                    html_escape(q.trim_end())
                );
            }
            s.push_str("</body>\n</html>\n");
            Some(s)
        } else {
            None
        };

        let attach = !self.opts.text_only && rng.chance(10);
        let mut body: Vec<u8> = Vec::with_capacity(target * 3 + 4096);
        let mut top_headers = String::new();
        let bnd = |tag: &str| format!("----=_Part_{tag}_{:016x}", key(self.opts.seed, i, 5));

        // Renders the text part(s) as a MIME entity: headers into `hdr`, body into `out`.
        let render_text = |rng: &mut Rng, hdr: &mut String, out: &mut Vec<u8>| match kind {
            0 => text_part(rng, "plain", &text, charset, hdr, out),
            1 => text_part(rng, "html", html.as_ref().unwrap(), charset, hdr, out),
            _ => {
                let b = bnd("alt");
                let _ = write!(
                    hdr,
                    "Content-Type: multipart/alternative;\n boundary=\"{b}\"\n"
                );
                for (k, (sub, content)) in [("plain", &text), ("html", html.as_ref().unwrap())]
                    .into_iter()
                    .enumerate()
                {
                    let (mut ph, mut pb) = (String::new(), Vec::new());
                    text_part(rng, sub, content, charset, &mut ph, &mut pb);
                    let _ = writeln!(out, "{}--{b}\n{ph}", if k == 0 { "" } else { "\n" });
                    out.extend_from_slice(&pb);
                }
                let _ = writeln!(out, "\n--{b}--");
            }
        };

        if attach {
            let b = bnd("mix");
            let _ = write!(
                top_headers,
                "Content-Type: multipart/mixed;\n boundary=\"{b}\"\n"
            );
            body.extend_from_slice(b"This is a multi-part message in MIME format.\n");
            let (mut ph, mut pb) = (String::new(), Vec::new());
            render_text(&mut rng, &mut ph, &mut pb);
            let _ = writeln!(body, "--{b}\n{ph}");
            body.extend_from_slice(&pb);
            for _ in 0..(if rng.chance(20) { 2 } else { 1 }) {
                let _ = writeln!(body, "\n--{b}");
                attachment(&mut rng, &mut body);
            }
            let _ = writeln!(body, "\n--{b}--");
        } else {
            if kind == 2 {
                body.extend_from_slice(b"This is a multi-part message in MIME format.\n");
            }
            render_text(&mut rng, &mut top_headers, &mut body);
        }

        let mut bytes = Vec::with_capacity(h.len() + top_headers.len() + body.len() + 1);
        bytes.extend_from_slice(h.as_bytes());
        bytes.extend_from_slice(top_headers.as_bytes());
        bytes.push(b'\n');
        bytes.extend_from_slice(&body);

        let mut flags = String::new();
        let seen = rng.chance(70);
        if rng.permille(30) {
            flags.push('F');
        }
        if seen && rng.chance(12) {
            flags.push('R');
        }
        if seen {
            flags.push('S');
        }
        Message { bytes, flags }
    }
}

fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

/// Greedy word wrap of one paragraph, followed by a newline.
fn wrap(p: &str, width: usize, out: &mut String) {
    let mut col = 0;
    for w in p.split(' ') {
        let wl = w.chars().count();
        if col > 0 && col + 1 + wl > width {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += wl;
    }
    out.push('\n');
}

/// Writes a text/plain or text/html entity: its headers into `hdr` and its
/// encoded body into `out`.
fn text_part(
    rng: &mut Rng,
    sub: &str,
    content: &str,
    charset: Charset,
    hdr: &mut String,
    out: &mut Vec<u8>,
) {
    let html = sub == "html";
    let (cs, raw): (&str, std::borrow::Cow<[u8]>) = match charset {
        Charset::Ascii if is_ascii(content) => ("us-ascii", content.as_bytes().into()),
        Charset::Latin1 => {
            let l1: Option<Vec<u8>> = content
                .chars()
                .map(|c| {
                    if (c as u32) < 256 {
                        Some(c as u32 as u8)
                    } else {
                        None
                    }
                })
                .collect();
            match l1 {
                Some(v) => ("iso-8859-1", v.into()),
                None => ("utf-8", content.as_bytes().into()),
            }
        }
        _ => ("utf-8", content.as_bytes().into()),
    };
    let ascii = raw.iter().all(|&b| b < 128);
    let cte = if html {
        if rng.chance(15) {
            "base64"
        } else {
            "quoted-printable"
        }
    } else if ascii {
        "7bit"
    } else if cs == "iso-8859-1" {
        "quoted-printable"
    } else {
        match rng.below(20) {
            0..=9 => "quoted-printable",
            10..=16 => "8bit",
            _ => "base64",
        }
    };
    let cs = if html && cs == "us-ascii" {
        "utf-8"
    } else {
        cs
    };
    let _ = write!(
        hdr,
        "Content-Type: text/{sub}; charset=\"{cs}\"\nContent-Transfer-Encoding: {cte}\n"
    );
    match cte {
        "base64" => mime::base64_lines(&raw, out),
        "quoted-printable" => mime::quoted_printable(&raw, out),
        _ => out.extend_from_slice(&raw),
    }
}

fn attachment(rng: &mut Rng, out: &mut Vec<u8>) {
    let utf8_name = rng.chance(30);
    let tmpl = if utf8_name {
        *rng.pick(ATTACH_UTF8)
    } else {
        *rng.pick(ATTACH_ASCII)
    };
    let name = tmpl
        .replace("{y}", &rng.range(2018, 2025).to_string())
        .replace("{q}", &rng.range(1, 4).to_string())
        .replace("{n}", &rng.range(100, 99_999).to_string());
    let pdf = name.ends_with(".pdf");
    let size = rng.log_range(5_000, 60_000) as usize;
    let mut blob = vec![0u8; size];
    rng.fill(&mut blob);
    if pdf {
        let head =
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
        let tail = b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
        blob[..head.len()].copy_from_slice(head);
        let n = blob.len();
        blob[n - tail.len()..].copy_from_slice(tail);
    } else {
        let head = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x02\x80\x00\x00\x01\xe0\x08\x06\x00\x00\x00";
        blob[..head.len()].copy_from_slice(head);
        let tail = b"\x00\x00\x00\x00IEND\xaeB`\x82";
        let n = blob.len();
        blob[n - tail.len()..].copy_from_slice(tail);
    }
    let mime_type = if pdf { "application/pdf" } else { "image/png" };
    let (ct_name, disp) = if is_ascii(&name) {
        (format!("\"{name}\""), format!("filename=\"{name}\""))
    } else {
        // name= as RFC 2047 (what many MUAs emit), filename as RFC 2231
        (
            format!("\"{}\"", mime::encoded_words(&name, WordEnc::Utf8B)),
            mime::rfc2231_param("filename", &name),
        )
    };
    let _ = write!(
        out,
        "Content-Type: {mime_type};\n name={ct_name}\nContent-Disposition: attachment;\n {disp}\nContent-Transfer-Encoding: base64\n\n"
    );
    mime::base64_lines(&blob, out);
}
