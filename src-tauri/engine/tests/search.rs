//! Search against a real Dovecot: every operator on a controlled corpus with exact result
//! sets, the index checked against what a seeded corpus holds, mail arriving after the index
//! exists, and the server fallback for mail whose body is not cached.

use std::collections::BTreeSet;
use tern_engine::message::MessageSummary;
use tern_engine::search::{MARK_END, MARK_START};
use tern_engine::{Engine, EngineOptions, Source};
use tern_testsupport::{fast_options, profile, Testbed};

/// A message to APPEND: headers in order, then a text/plain body or a whole MIME body.
struct Mail {
    headers: Vec<(&'static str, String)>,
    content_type: &'static str,
    body: String,
}

fn mail(from: &str, to: &str, subject: &str, date: &str, body: &str) -> Mail {
    Mail {
        headers: vec![
            ("From", from.into()),
            ("To", to.into()),
            ("Subject", subject.into()),
            ("Date", date.into()),
        ],
        content_type: "text/plain; charset=utf-8",
        body: body.into(),
    }
}

impl Mail {
    fn header(mut self, name: &'static str, value: &str) -> Mail {
        self.headers.push((name, value.into()));
        self
    }

    fn html(mut self) -> Mail {
        self.content_type = "text/html; charset=utf-8";
        self
    }

    /// Makes it multipart/mixed with the body as text and one attachment.
    fn attach(mut self, filename_param: &str) -> Mail {
        self.content_type = "multipart/mixed; boundary=\"b1\"";
        self.body = format!(
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n\
--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; {filename_param}\r\n\
Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b1--",
            self.body
        );
        self
    }

    fn bytes(&self, n: usize) -> Vec<u8> {
        let mut s = String::new();
        for (k, v) in &self.headers {
            s += &format!("{k}: {v}\r\n");
        }
        s += &format!(
            "Message-ID: <search-{n}@test.example.org>\r\nMIME-Version: 1.0\r\n\
Content-Type: {}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
            self.content_type, self.body
        );
        s.into_bytes()
    }
}

async fn append(tb: &Testbed, folder: &str, flags: &str, m: &Mail, n: usize) {
    let mut raw = tb.raw("alice").await;
    let flags = (!flags.is_empty()).then(|| format!("({flags})"));
    raw.session
        .append(folder, flags.as_deref(), None, &m.bytes(n))
        .await
        .expect("append");
    raw.logout().await;
}

fn opts(prefetch: u32) -> EngineOptions {
    let mut o = fast_options();
    o.sync.prefetch_newest = prefetch;
    o
}

/// Hits of a local search as the subjects of their messages, sorted.
fn subjects(engine: &Engine, q: &str) -> BTreeSet<String> {
    engine
        .search(q, None, 0, 500)
        .unwrap_or_else(|e| panic!("{q}: {e:?}"))
        .into_iter()
        .map(|h| h.message.subject)
        .collect()
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const CAFE: &str = "Café au lait in Zürich";
const BUDGET: &str = "Quarterly budget review";
const LUNCH: &str = "Lunch";
const NEWS: &str = "Newsletter";
const REPLY: &str = "Re: Quarterly budget review";
const RESUME: &str = "Zoë's résumé";

/// The controlled corpus: six messages in INBOX and Sent, each operator's answer known.
async fn corpus(tb: &Testbed) {
    let alice = "Alice <alice@example.org>";
    let m = [
        (
            "INBOX",
            "\\Seen",
            mail(
                "José Müller <jose@example.org>",
                alice,
                CAFE,
                "Wed, 1 Oct 2025 09:00:00 +0000",
                "Meet me at the café near the lake. Bring the quarterly numbers.",
            )
            .header("Cc", "Carol Chen <carol@example.net>"),
        ),
        (
            "INBOX",
            "",
            mail(
                "Bob Baker <bob@example.org>",
                alice,
                BUDGET,
                "Sun, 5 Oct 2025 10:00:00 +0000",
                "The budget review meeting moves to Thursday. See the spreadsheet.",
            )
            .attach("filename=\"budget-2025.xlsx\""),
        ),
        (
            "INBOX",
            "\\Seen \\Flagged",
            mail(
                "Bob Baker <bob@example.org>",
                "Dave <dave@example.com>",
                LUNCH,
                "Fri, 10 Oct 2025 12:00:00 +0000",
                "Pizza or sushi? The lakeside café is closed.",
            )
            .header("Cc", alice),
        ),
        (
            "INBOX",
            "",
            mail(
                "Eve <eve@example.org>",
                alice,
                NEWS,
                "Sun, 2 Nov 2025 08:00:00 +0000",
                "<html><body><p>Our <b>strawberry</b> festival &amp; market</p></body></html>",
            )
            .html(),
        ),
        (
            "Sent",
            "\\Seen",
            mail(
                alice,
                "Bob Baker <bob@example.org>",
                REPLY,
                "Mon, 6 Oct 2025 07:30:00 +0000",
                "Looks good, approved.",
            )
            .header("In-Reply-To", "<search-1@test.example.org>"),
        ),
        (
            "INBOX",
            "\\Seen",
            mail(
                "Zoë Ångström <zoe@example.se>",
                alice,
                RESUME,
                "Mon, 15 Sep 2025 16:00:00 +0000",
                "My résumé is attached.",
            )
            .attach("filename*=UTF-8''R%C3%A9sum%C3%A9%20Zo%C3%AB.pdf"),
        ),
    ];
    for (n, (folder, flags, mail)) in m.iter().enumerate() {
        append(tb, folder, flags, mail, n).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operator_on_a_controlled_corpus() {
    let tb = Testbed::start();
    corpus(&tb).await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), opts(u32::MAX)).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    let report = engine.sync(id).await.unwrap();
    assert_eq!((report.added, report.bodies), (6, 6));

    let cases: &[(&str, &[&str])] = &[
        // Words, accents and case: "cafe" finds "café" and "Café".
        ("cafe ", &[CAFE, LUNCH]),
        ("CAFÉ ", &[CAFE, LUNCH]),
        ("zurich ", &[CAFE]),
        ("quarterly ", &[CAFE, BUDGET, REPLY]),
        // As-you-type: the last word is a prefix, a finished word is not.
        ("quart", &[CAFE, BUDGET, REPLY]),
        ("straw", &[NEWS]),
        ("straw ", &[]),
        ("lake", &[CAFE, LUNCH]),
        ("lake ", &[CAFE]),
        // Phrases keep order and adjacency.
        ("\"budget review\"", &[BUDGET, REPLY]),
        ("\"review budget\"", &[]),
        // HTML reduced to text.
        ("strawberry festival", &[NEWS]),
        ("\"festival market\"", &[NEWS]),
        // People: names and addresses, with accents folded.
        ("from:bob ", &[BUDGET, LUNCH]),
        ("from:jose@example.org", &[CAFE]),
        ("from:muller ", &[CAFE]),
        ("from:jo", &[CAFE]),
        ("from:angstrom", &[RESUME]),
        ("to:dave ", &[LUNCH]),
        ("to:bob ", &[REPLY]),
        ("cc:carol ", &[CAFE]),
        ("cc:alice ", &[LUNCH]),
        ("subject:lunch ", &[LUNCH]),
        ("subject:cafe ", &[CAFE]),
        // Negation of words, phrases, fields and filters.
        ("budget -approved", &[BUDGET]),
        ("quarterly -from:bob", &[CAFE, REPLY]),
        ("quarterly -\"budget review\"", &[CAFE]),
        ("-cafe -quarterly", &[NEWS, RESUME]),
        // Attachments: the flag and the names.
        ("has:attachment", &[BUDGET, RESUME]),
        ("has:attachment budget ", &[BUDGET]),
        ("-has:attachment quarterly", &[CAFE, REPLY]),
        ("xlsx", &[BUDGET]),
        ("resume ", &[RESUME]),
        // Flags.
        ("is:unread", &[BUDGET, NEWS]),
        ("is:read", &[CAFE, LUNCH, REPLY, RESUME]),
        ("is:starred", &[LUNCH]),
        ("-is:unread cafe", &[CAFE, LUNCH]),
        // Dates: after is on or after that day, before is strictly before it (UTC days).
        ("after:2025-10-05 before:2025-10-10", &[BUDGET, REPLY]),
        ("before:2025-10-01", &[RESUME]),
        ("after:2025-11-02", &[NEWS]),
        // Folders by role, name or display name; accounts by email or id.
        ("in:sent", &[REPLY]),
        ("in:Sent budget ", &[REPLY]),
        ("in:inbox budget ", &[BUDGET]),
        ("-in:inbox", &[REPLY]),
        ("in:nowhere", &[]),
        (
            "account:alice@example.org quarterly ",
            &[CAFE, BUDGET, REPLY],
        ),
        ("account:nobody@example.org", &[]),
    ];
    for (q, want) in cases {
        assert_eq!(subjects(&engine, q), set(want), "query {q:?}");
    }
    let by_id = format!("account:{id} is:starred");
    assert_eq!(subjects(&engine, &by_id), set(&[LUNCH]));

    // A scope limits to one folder.
    let sent = engine.store().find_folder(id, "Sent").unwrap();
    let scoped: Vec<String> = engine
        .search("budget", Some(sent.id), 0, 10)
        .unwrap()
        .into_iter()
        .map(|h| h.message.subject)
        .collect();
    assert_eq!(scoped, [REPLY]);

    // Ranking: both words in the subject beat a passing mention; highlights mark matches.
    let hits = engine.search("quarterly budget", None, 0, 10).unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].message.subject, BUDGET, "{hits:#?}");
    assert_eq!(
        hits[0].highlighted_subject,
        format!("{MARK_START}Quarterly{MARK_END} {MARK_START}budget{MARK_END} review")
    );
    assert!(
        hits[0]
            .highlighted_snippet
            .contains(&format!("{MARK_START}budget{MARK_END} review")),
        "{:?}",
        hits[0].highlighted_snippet
    );
    assert!(hits.iter().all(|h| h.source == Source::Local));

    // Paging.
    let all = engine.search("is:read", None, 0, 10).unwrap();
    let page = engine.search("is:read", None, 1, 2).unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].message.id, all[1].message.id);

    // Nonsense is refused with a sentence; nothing to look for finds nothing.
    let e = engine.search("is:important", None, 0, 10).unwrap_err();
    assert!(e.message.contains("is:important"), "{}", e.message);
    assert!(engine.search("  ", None, 0, 10).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_arriving_later_is_indexed_and_removal_unindexes() {
    let tb = Testbed::start();
    corpus(&tb).await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), opts(u32::MAX)).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    assert!(subjects(&engine, "pineapple").is_empty());

    let late = mail(
        "Fay <fay@example.org>",
        "alice@example.org",
        "Late arrival",
        "Tue, 4 Nov 2025 10:00:00 +0000",
        "A pineapple upside-down cake.",
    );
    append(&tb, "INBOX", "", &late, 99).await;
    engine.sync(id).await.unwrap();
    assert_eq!(subjects(&engine, "pineapple"), set(&["Late arrival"]));
    assert_eq!(subjects(&engine, "from:fay cake"), set(&["Late arrival"]));

    // Expunged on the server: gone from the index with the message.
    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    let uid = *raw.flags().await.keys().max().unwrap();
    raw.expunge_uids(&uid.to_string()).await;
    raw.logout().await;
    engine.sync(id).await.unwrap();
    assert!(subjects(&engine, "pineapple").is_empty());
    assert_eq!(subjects(&engine, "cafe").len(), 2);
}

/// Lower-cased tokens the way unicode61 splits ASCII text: runs of letters and digits.
fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_match_what_the_seeded_corpus_holds() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 300);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), opts(u32::MAX)).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let inbox = engine.store().find_folder(id, "INBOX").unwrap();
    let msgs: Vec<MessageSummary> = engine.messages(inbox.id, 0, 1000).unwrap();
    assert_eq!(msgs.len(), 300);

    // What each message holds, field by field (a phrase never spans two), from the cache.
    struct Doc {
        id: i64,
        from: Vec<String>,
        fields: Vec<Vec<String>>,
        unread: bool,
    }
    let docs: Vec<Doc> = msgs
        .iter()
        .map(|m| {
            let d = engine.store().message(m.id).unwrap();
            let body = d.body.as_ref().expect("every body is cached");
            let from = m
                .from
                .as_ref()
                .map(|a| format!("{} {}", a.name, a.email))
                .unwrap_or_default();
            let people = |v: &[tern_engine::message::Address]| {
                v.iter()
                    .map(|a| format!("{} {}", a.name, a.email))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let names: Vec<&str> = d.parts.iter().map(|p| p.filename.as_str()).collect();
            Doc {
                id: m.id,
                from: tokens(&from),
                fields: [
                    from.clone(),
                    people(&d.to),
                    people(&d.cc),
                    m.subject.clone(),
                    body.text.clone(),
                    names.join(" "),
                ]
                .iter()
                .map(|f| tokens(f))
                .collect(),
                unread: m.flags & tern_engine::message::flags::SEEN == 0,
            }
        })
        .collect();
    let found = |q: &str| -> BTreeSet<i64> {
        engine
            .search(q, None, 0, 1000)
            .unwrap()
            .into_iter()
            .map(|h| h.message.id)
            .collect()
    };
    let expect = |f: &dyn Fn(&Doc) -> bool| -> BTreeSet<i64> {
        docs.iter().filter(|d| f(d)).map(|d| d.id).collect()
    };
    let has = |d: &Doc, w: &str| d.fields.iter().flatten().any(|t| t == w);
    let phrase = |d: &Doc, a: &str, b: &str| {
        d.fields
            .iter()
            .any(|f| f.windows(2).any(|p| p[0] == a && p[1] == b))
    };

    // ASCII words of the generator's list that have no accented twin in it.
    for w in ["budget", "invoice", "server", "meeting", "deadline"] {
        let want = expect(&|d| has(d, w));
        assert!(!want.is_empty(), "the corpus should hold {w}");
        assert_eq!(found(&format!("{w} ")), want, "word {w}");
    }
    let want = expect(&|d| d.fields.iter().flatten().any(|t| t.starts_with("deadl")));
    assert_eq!(found("deadl"), want, "prefix");
    let want = expect(&|d| phrase(d, "the", "project"));
    assert!(!want.is_empty());
    assert_eq!(found("\"the project\""), want, "phrase");
    let want = expect(&|d| has(d, "budget") && !has(d, "review"));
    assert_eq!(found("budget -review "), want, "negation");
    let want = expect(&|d| has(d, "report") && d.unread);
    assert_eq!(found("report is:unread"), want, "word and flag");
    // The most frequent sender's first name, as from:.
    let name = docs[0].from[0].clone();
    let want = expect(&|d| d.from.contains(&name));
    assert_eq!(found(&format!("from:{name} ")), want, "from:{name}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_search_finds_mail_whose_body_is_not_cached() {
    server_search(Testbed::start(), "LITERAL+").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_search_without_literal_plus_waits_for_continuations() {
    // No LITERAL+ advertised: non-ASCII text goes as synchronizing literals.
    let tb = Testbed::start_with(&["--capability", "IMAP4rev1 IDLE UIDPLUS SPECIAL-USE"]);
    server_search(tb, "synchronizing literals").await;
}

async fn server_search(tb: Testbed, how: &str) {
    corpus(&tb).await;
    let secret = mail(
        "Gus <gus@example.org>",
        "alice@example.org",
        "Dessert plans",
        "Wed, 5 Nov 2025 18:00:00 +0000",
        "The kumquat tart, then crème brûlée.",
    );
    append(&tb, "INBOX", "", &secret, 50).await;
    let dir = profile();
    // Headers only: no body is prefetched, so the local index knows subjects but not bodies.
    let engine = Engine::open(dir.path(), tb.credentials(), opts(0)).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    let report = engine.sync(id).await.unwrap();
    assert_eq!((report.added, report.bodies), (7, 0));
    assert!(subjects(&engine, "kumquat").is_empty(), "{how}");
    assert_eq!(subjects(&engine, "dessert"), set(&["Dessert plans"]));

    let inbox = engine.store().find_folder(id, "INBOX").unwrap();
    let hits = engine
        .search_server(id, Some(inbox.id), "kumquat")
        .await
        .unwrap();
    assert_eq!(hits.len(), 1, "{how}");
    assert_eq!(hits[0].message.subject, "Dessert plans");
    assert_eq!(hits[0].source, Source::Server);

    // Non-ASCII goes as UTF-8 (CHARSET UTF-8 and a literal).
    let hits = engine.search_server(id, None, "brûlée").await.unwrap();
    assert_eq!(hits.len(), 1, "{how}");
    // Fields, negation, flags and folders translate too.
    let q = |s: &'static str| {
        let engine = &engine;
        async move {
            engine
                .search_server(id, None, s)
                .await
                .unwrap_or_else(|e| panic!("{s}: {e:?}"))
                .into_iter()
                .map(|h| h.message.subject)
                .collect::<BTreeSet<String>>()
        }
    };
    assert_eq!(q("from:bob").await, set(&[BUDGET, LUNCH]));
    assert_eq!(q("from:bob -subject:lunch").await, set(&[BUDGET]));
    assert_eq!(q("quarterly is:unread").await, set(&[BUDGET]));
    assert_eq!(q("budget in:sent").await, set(&[REPLY]));
    assert_eq!(q("has:attachment").await, set(&[BUDGET, RESUME]));
    assert_eq!(q("after:2025-11-01").await, set(&["Dessert plans", NEWS]));
    assert_eq!(q("lakeside").await, set(&[LUNCH]));

    // Once the body is read it is indexed: the local search finds it, and the server's hit
    // is no longer one only the server could find.
    let m = engine.message(hits[0].message.id).await.unwrap();
    assert!(m.body.is_some());
    assert_eq!(subjects(&engine, "kumquat"), set(&["Dessert plans"]));
    let hits = engine.search_server(id, None, "kumquat").await.unwrap();
    assert_eq!(hits[0].source, Source::Local);
}
