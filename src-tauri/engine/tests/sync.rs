//! Sync against a real Dovecot: initial mirror, resync after another client's changes (with
//! and without CONDSTORE/QRESYNC), UIDVALIDITY change, and IDLE push.

use std::collections::BTreeMap;
use std::time::Duration;
use tern_engine::message::flags;
use tern_engine::{Engine, Event, Events, Role, Security};
use tern_testsupport::proxy::{Fault, Proxy};
use tern_testsupport::raw::RawClient;
use tern_testsupport::{fast_options, message, profile, Testbed};

/// The cache's view of a folder in the same shape as the raw client's: UID -> flag names.
fn cached_flags(engine: &Engine, folder: i64) -> BTreeMap<u32, Vec<String>> {
    engine
        .store()
        .flag_map(folder)
        .unwrap()
        .into_iter()
        .map(|(uid, (bits, kw))| {
            let mut names: Vec<String> =
                flags::names(bits).into_iter().map(str::to_string).collect();
            names.extend(kw.split_whitespace().map(str::to_string));
            names.sort();
            (uid, names)
        })
        .collect()
}

async fn assert_mirrors(engine: &Engine, account: i64, raw: &mut RawClient, folder: &str) {
    let mailbox = raw.select(folder).await;
    let server = raw.flags().await;
    let f = engine.store().find_folder(account, folder).unwrap();
    let cache = cached_flags(engine, f.id);
    assert_eq!(cache.len(), server.len(), "message count of {folder}");
    assert_eq!(cache, server, "UIDs and flags of {folder}");
    assert_eq!(f.total, mailbox.exists, "stored total of {folder}");
    let unread = server
        .values()
        .filter(|fl| !fl.iter().any(|x| x == "\\Seen"))
        .count() as u32;
    assert_eq!(f.unread, unread, "stored unread count of {folder}");
}

async fn next_event(
    events: &mut Events,
    within: Duration,
    mut pick: impl FnMut(&Event) -> bool,
) -> Event {
    tokio::time::timeout(within, async {
        loop {
            match events.recv().await {
                Some(e) if pick(&e) => return e,
                Some(_) => {}
                None => panic!("engine closed its events"),
            }
        }
    })
    .await
    .expect("expected event did not arrive in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initial_sync_mirrors_every_field() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 400);
    let mut raw = tb.raw("alice").await;
    let special = "From: =?UTF-8?Q?Jos=C3=A9_M=C3=BCller?= <jose@example.org>\r\n\
To: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>, bob@example.org\r\n\
Cc: \"Ünal, Ayşe\" <ayse@example.com.tr>\r\n\
Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgWsO8cmljaCDimJUg5p2x5Lqs?=\r\n\
Date: Tue, 4 Nov 2025 09:30:00 +0100\r\n\
Message-ID: <special-1@example.org>\r\n\
In-Reply-To: <parent@example.org>\r\n\
References: <root@example.org> <parent@example.org>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo!\r\n\
--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
    raw.append("INBOX", special.as_bytes()).await;

    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    let report = engine.sync(id).await.unwrap();
    assert_eq!(report.added, 401);
    assert_mirrors(&engine, id, &mut raw, "INBOX").await;

    let roles: Vec<Role> = engine.folders(id).unwrap().iter().map(|f| f.role).collect();
    for r in [
        Role::Inbox,
        Role::Drafts,
        Role::Sent,
        Role::Trash,
        Role::Junk,
        Role::Archive,
    ] {
        assert!(roles.contains(&r), "{r:?} missing from {roles:?}");
    }
    assert_eq!(roles[0], Role::Inbox, "INBOX is listed first");

    let inbox = engine.store().find_folder(id, "INBOX").unwrap();
    let all = engine.messages(inbox.id, 0, 1000).unwrap();
    assert_eq!(all.len(), 401);
    assert!(
        all.windows(2)
            .all(|w| w[0].date >= w[1].date || w[0].uid > w[1].uid),
        "newest first"
    );
    let m = all
        .iter()
        .find(|m| m.subject == "Grüße aus Zürich ☕ 東京")
        .expect("decoded subject");
    let from = m.from.as_ref().unwrap();
    assert_eq!(
        (from.name.as_str(), from.email.as_str()),
        ("José Müller", "jose@example.org")
    );
    assert!(m.has_attachments);
    assert_eq!(m.date, 1762245000);
    let d = engine.store().message(m.id).unwrap();
    assert_eq!(d.to[0].name, "山田");
    assert_eq!(d.to[1].email, "bob@example.org");
    assert_eq!(d.cc[0].name, "Ünal, Ayşe");
    assert_eq!(d.message_id, "special-1@example.org");
    assert_eq!(d.in_reply_to, "parent@example.org");
    assert_eq!(d.references, vec!["root@example.org", "parent@example.org"]);
    let pdf = d
        .parts
        .iter()
        .find(|p| p.mime == "application/pdf")
        .expect("pdf part");
    assert_eq!(
        (pdf.section.as_str(), pdf.filename.as_str(), pdf.attachment),
        ("2", "Résumé.pdf", true)
    );

    // Seeded mail: every message has a sender and a Message-ID, and threads link up.
    assert!(all.iter().all(|m| m.from.is_some()));
    let with_refs = (0..all.len())
        .filter(|i| {
            !engine
                .store()
                .message(all[*i].id)
                .unwrap()
                .references
                .is_empty()
        })
        .count();
    assert!(
        with_refs > 20,
        "seeded threads carry References ({with_refs})"
    );
    // The newest messages were prefetched and read offline; an old one is fetched on demand.
    assert!(report.bodies > 0);
    let oldest = all.last().unwrap();
    assert!(engine.store().message(oldest.id).unwrap().body.is_none());
    let fetched = engine.message(oldest.id).await.unwrap();
    assert!(!fetched.body.unwrap().text.is_empty());
}

async fn resync_follows_other_client(engine: &Engine, id: i64, tb: &Testbed) {
    tb.seed("alice", "INBOX", 300);
    let first = engine.sync(id).await.unwrap();
    assert_eq!(first.added, 300);

    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    raw.store("1:20", "+FLAGS (\\Seen \\Flagged)").await;
    raw.store("21:40", "-FLAGS (\\Seen)").await;
    raw.store("41:45", "+FLAGS ($Forwarded $Important)").await;
    raw.expunge_uids("50:60,100").await;
    for i in 0..3 {
        raw.append(
            "INBOX",
            &message("carol@example.org", &format!("late arrival {i}"), "hello"),
        )
        .await;
    }
    let r = engine.sync(id).await.unwrap();
    assert_eq!(r.removed, 12);
    assert_eq!(r.added, 3);
    assert!(r.changed > 0);
    assert_mirrors(engine, id, &mut raw, "INBOX").await;

    let again = engine.sync(id).await.unwrap();
    assert_eq!(
        (again.added, again.changed, again.removed),
        (0, 0, 0),
        "a second sync finds nothing new"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resync_with_condstore_and_qresync() {
    let tb = Testbed::start();
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    resync_follows_other_client(&engine, id, &tb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resync_without_condstore() {
    let tb = Testbed::start();
    let hide = Fault::HideCapabilities(vec!["CONDSTORE".into(), "QRESYNC".into()]);
    let proxy = Proxy::start(tb.imap_port, vec![hide; 50]).await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine
        .add_account(&tb.account_via("alice", Security::Plain, "127.0.0.1", proxy.port))
        .unwrap();
    resync_follows_other_client(&engine, id, &tb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uidvalidity_change_rebuilds_the_folder() {
    let tb = Testbed::start();
    let mut raw = tb.raw("alice").await;
    raw.create("Projects").await;
    for i in 0..5 {
        raw.append(
            "Projects",
            &message("dan@example.org", &format!("old {i}"), "x"),
        )
        .await;
    }
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let before = engine.store().find_folder(id, "Projects").unwrap();
    assert_eq!(before.total, 5);

    raw.delete("Projects").await;
    // UIDVALIDITY comes from the clock on Dovecot; make sure it moves.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    raw.create("Projects").await;
    for i in 0..3 {
        raw.append(
            "Projects",
            &message("erin@example.org", &format!("new {i}"), "y"),
        )
        .await;
    }
    engine.sync(id).await.unwrap();
    assert_mirrors(&engine, id, &mut raw, "Projects").await;
    let f = engine.store().find_folder(id, "Projects").unwrap();
    let subjects: Vec<String> = engine
        .messages(f.id, 0, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(subjects.len(), 3);
    assert!(
        subjects.iter().all(|s| s.starts_with("new ")),
        "no stale rows: {subjects:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_follow_the_server() {
    let tb = Testbed::start();
    let mut raw = tb.raw("alice").await;
    raw.create("Lists/rust").await;
    raw.create(&tern_engine::imap::utf7::encode("Reisen & Urlaub/Zürich"))
        .await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let names: Vec<String> = engine
        .folders(id)
        .unwrap()
        .into_iter()
        .map(|f| f.display_name)
        .collect();
    assert!(names.contains(&"Lists/rust".to_string()), "{names:?}");
    assert!(
        names.contains(&"Reisen & Urlaub/Zürich".to_string()),
        "modified UTF-7 decoded: {names:?}"
    );
    let zurich = engine
        .store()
        .find_folder(id, "Reisen & Urlaub/Zürich")
        .unwrap();
    assert_eq!((zurich.leaf_name(), zurich.depth()), ("Zürich", 1));

    raw.delete("Lists/rust").await;
    engine.sync(id).await.unwrap();
    let names: Vec<String> = engine
        .folders(id)
        .unwrap()
        .into_iter()
        .map(|f| f.display_name)
        .collect();
    assert!(
        !names.contains(&"Lists/rust".to_string()),
        "deleted folder gone: {names:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_brings_new_mail_as_an_event() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 50);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    let mut events = engine.events();
    engine.start(id).unwrap();
    next_event(&mut events, Duration::from_secs(30), |e| {
        matches!(
            e,
            Event::SyncState {
                syncing: false,
                online: true,
                ..
            }
        )
    })
    .await;
    // Give the IDLE connection time to enter IDLE, as a user's client would be by now.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let mut raw = tb.raw("alice").await;
    let started = std::time::Instant::now();
    raw.append(
        "INBOX",
        &message(
            "=?UTF-8?Q?Zo=C3=AB?= <zoe@example.org>",
            "Push works",
            "hello",
        ),
    )
    .await;
    let e = next_event(&mut events, Duration::from_secs(10), |e| {
        matches!(e, Event::NewMail { .. })
    })
    .await;
    let Event::NewMail { messages, .. } = e else {
        unreachable!()
    };
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].subject, "Push works");
    assert_eq!(messages[0].from.as_ref().unwrap().name, "Zoë");
    eprintln!("append -> NewMail event: {:?}", started.elapsed());
    let inbox = engine.store().find_folder(id, "INBOX").unwrap();
    assert_eq!(inbox.total, 51);

    // And the next ones too: the worker's connection now has INBOX selected, where STATUS
    // would report a stale view (RFC 3501 §6.3.10).
    for subject in ["Second arrival", "Third arrival"] {
        raw.append("INBOX", &message("Zoe <zoe@example.org>", subject, "again"))
            .await;
        let e = next_event(&mut events, Duration::from_secs(10), |e| {
            matches!(e, Event::NewMail { .. })
        })
        .await;
        let Event::NewMail { messages, .. } = e else {
            unreachable!()
        };
        assert_eq!(messages[0].subject, subject);
    }
    assert_eq!(engine.store().find_folder(id, "INBOX").unwrap().total, 53);
}
