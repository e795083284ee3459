//! Conversations against a real Dovecot: replies, the user's replies in Sent, broken and
//! partial References chains, the subject fallback (and its limit: the same subject without
//! references is not a conversation), a reply synced before its parent, and a first sync
//! whose bulk chunks are threaded after they are inserted.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use tern_engine::message::MessageSummary;
use tern_engine::{Engine, Event, ThreadSummary};
use tern_testsupport::{fast_options, profile, Testbed};

/// An RFC 5322 message with the given threading headers (empty ones are left out).
fn msg(
    id: &str,
    from: &str,
    subject: &str,
    day: u32,
    in_reply_to: &str,
    references: &str,
) -> Vec<u8> {
    let mut s = format!(
        "From: {from}\r\nTo: alice@example.org\r\nSubject: {subject}\r\n\
Date: {day} Oct 2025 10:00:00 +0000\r\nMessage-ID: <{id}>\r\n"
    );
    if !in_reply_to.is_empty() {
        s += &format!("In-Reply-To: {in_reply_to}\r\n");
    }
    if !references.is_empty() {
        s += &format!("References: {references}\r\n");
    }
    s += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n";
    s.into_bytes()
}

async fn append(tb: &Testbed, folder: &str, flags: Option<&str>, m: Vec<u8>) {
    let mut raw = tb.raw("alice").await;
    raw.session
        .append(folder, flags, None, &m)
        .await
        .expect("append");
    raw.logout().await;
}

/// The conversation holding the message with this subject and sender.
fn thread_of(engine: &Engine, folder: i64, subject: &str, from: &str) -> i64 {
    let all: Vec<MessageSummary> = engine.messages(folder, 0, 1000).unwrap();
    let m = all
        .iter()
        .find(|m| m.subject == subject && m.from.as_ref().is_some_and(|a| a.email == from))
        .unwrap_or_else(|| panic!("no message {subject:?} from {from}"));
    assert_ne!(m.thread_id, 0);
    m.thread_id
}

fn senders(t: &ThreadSummary) -> Vec<&str> {
    t.senders.iter().map(|a| a.email.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_across_folders_and_broken_chains() {
    let tb = Testbed::start();
    let (bob, carol, dan, me) = (
        "bob@example.org",
        "carol@example.org",
        "dan@example.org",
        "alice@example.org",
    );
    let kick = "Project kickoff";
    let re = "Re: Project kickoff";
    // A root, a reply, the user's own reply in Sent, then replies with damaged headers.
    append(
        &tb,
        "INBOX",
        Some("(\\Seen)"),
        msg("a@t", bob, kick, 1, "", ""),
    )
    .await;
    append(
        &tb,
        "INBOX",
        None,
        msg("b@t", carol, re, 2, "<a@t>", "<a@t>"),
    )
    .await;
    append(
        &tb,
        "Sent",
        Some("(\\Seen)"),
        msg("s@t", me, re, 3, "<b@t>", "<a@t> <b@t>"),
    )
    .await;
    // Its parent (x@t) is not in the mailbox, but the chain still names the root.
    append(
        &tb,
        "INBOX",
        Some("(\\Seen)"),
        msg("c@t", dan, re, 4, "<x@t>", "<a@t> <x@t>"),
    )
    .await;
    // Only In-Reply-To, pointing at the user's reply in Sent.
    append(
        &tb,
        "INBOX",
        Some("(\\Seen)"),
        msg("d@t", bob, re, 5, "<s@t>", ""),
    )
    .await;
    // No threading headers at all: joins by subject.
    append(
        &tb,
        "INBOX",
        Some("(\\Seen)"),
        msg("e@t", carol, "RE: Project kickoff", 6, "", ""),
    )
    .await;
    // References cut to a missing message only: alone, until a later message links it.
    let erin = "erin@example.org";
    append(
        &tb,
        "INBOX",
        Some("(\\Seen)"),
        msg("f@t", erin, re, 7, "<y@t>", "<y@t>"),
    )
    .await;
    // The same subject twice, without references: two conversations, not one.
    append(
        &tb,
        "INBOX",
        Some("(\\Seen)"),
        msg("w1@t", bob, "Weekly report", 8, "", ""),
    )
    .await;
    append(
        &tb,
        "INBOX",
        Some("(\\Seen)"),
        msg("w2@t", bob, "Weekly report", 15, "", ""),
    )
    .await;

    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let inbox = engine.store().find_folder(id, "INBOX").unwrap().id;
    let sent = engine.store().find_folder(id, "Sent").unwrap().id;

    let t = thread_of(&engine, inbox, kick, bob);
    assert_eq!(thread_of(&engine, inbox, re, carol), t, "a reply");
    assert_eq!(
        thread_of(&engine, sent, re, me),
        t,
        "the user's reply in Sent"
    );
    assert_eq!(
        thread_of(&engine, inbox, re, dan),
        t,
        "a chain with a missing link"
    );
    let f = thread_of(&engine, inbox, re, erin);
    assert_ne!(f, t, "only a missing message links it");
    let w: Vec<i64> = engine
        .messages(inbox, 0, 100)
        .unwrap()
        .into_iter()
        .filter(|m| m.subject == "Weekly report")
        .map(|m| m.thread_id)
        .collect();
    assert_eq!(w.len(), 2);
    assert_ne!(w[0], w[1], "same subject without references stays apart");

    // In date order across folders.
    let msgs = engine.thread_messages(t).unwrap();
    let ids: Vec<(u32, i64)> = msgs.iter().map(|m| (m.date as u32, m.folder_id)).collect();
    assert_eq!(msgs.len(), 6, "{ids:?}");
    assert!(msgs.windows(2).all(|p| p[0].date <= p[1].date));
    assert_eq!(msgs[2].folder_id, sent);

    // A later message names both the root and the missing y@t: the two become one.
    append(
        &tb,
        "INBOX",
        None,
        msg("g@t", bob, re, 16, "<y@t>", "<a@t> <y@t>"),
    )
    .await;
    engine.sync(id).await.unwrap();
    let merged = thread_of(&engine, inbox, re, erin);
    assert_eq!(merged, thread_of(&engine, inbox, kick, bob));
    assert_eq!(merged, t.min(f), "kept under the older id");
    assert_eq!(engine.thread_messages(merged).unwrap().len(), 8);

    // The list: newest activity first, counts and senders span folders, unread if any is.
    let list = engine.threads(Some(inbox), 0, 10).unwrap();
    let subjects: Vec<&str> = list.iter().map(|t| t.subject.as_str()).collect();
    assert_eq!(subjects, [kick, "Weekly report", "Weekly report"]);
    let k = &list[0];
    assert_eq!(k.count, 8);
    assert_eq!(k.unread, 2);
    assert_eq!(senders(k), [bob, carol, me, dan, erin]);
    assert_eq!(k.latest_date, 1_760_608_800); // 16 Oct 10:00
    assert_eq!(
        engine.threads(None, 0, 10).unwrap(),
        list,
        "unified = every INBOX"
    );
    let in_sent = engine.threads(Some(sent), 0, 10).unwrap();
    assert_eq!(in_sent.len(), 1);
    assert_eq!(in_sent[0].id, k.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_synced_before_its_parent() {
    let tb = Testbed::start();
    append(
        &tb,
        "INBOX",
        None,
        msg(
            "r@t",
            "carol@example.org",
            "Re: Offsite",
            3,
            "<p@t>",
            "<p@t>",
        ),
    )
    .await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let inbox = engine.store().find_folder(id, "INBOX").unwrap().id;
    let t = thread_of(&engine, inbox, "Re: Offsite", "carol@example.org");

    // The parent arrives later (delayed, or moved in from another folder).
    append(
        &tb,
        "Archive",
        None,
        msg("p@t", "bob@example.org", "Offsite", 1, "", ""),
    )
    .await;
    engine.sync(id).await.unwrap();
    let archive = engine.store().find_folder(id, "Archive").unwrap().id;
    assert_eq!(thread_of(&engine, archive, "Offsite", "bob@example.org"), t);
    let msgs = engine.thread_messages(t).unwrap();
    let order: Vec<&str> = msgs.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(order, ["Offsite", "Re: Offsite"]);
    let list = engine.threads(Some(inbox), 0, 10).unwrap();
    assert_eq!((list.len(), list[0].count, list[0].unread), (1, 2, 2));
    assert_eq!(
        list[0].subject, "Offsite",
        "the subject of the oldest message"
    );
}

/// Checks every message of `folder` is threaded with each message it names (References,
/// In-Reply-To) that the folder holds: the part of threading that does not depend on the
/// order messages arrive in. Returns how many such links there are.
fn check_links(engine: &Engine, folder: i64) -> usize {
    let all = engine.messages(folder, 0, 100_000).unwrap();
    let mut thread_of_id = std::collections::HashMap::new();
    for m in &all {
        assert!(m.thread_id > 0, "not threaded: {m:?}");
        let d = engine.store().message(m.id).unwrap();
        thread_of_id.insert(d.message_id.clone(), m.thread_id);
    }
    let mut links = 0;
    for m in &all {
        let d = engine.store().message(m.id).unwrap();
        for named in d.references.iter().chain([&d.in_reply_to]) {
            if let Some(t) = thread_of_id.get(named).filter(|_| !named.is_empty()) {
                assert_eq!(*t, m.thread_id, "{} names {named}", d.message_id);
                links += 1;
            }
        }
    }
    links
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_first_sync_is_threaded_after_it_and_announced() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 3000);

    // Small chunks: each is threaded as it is inserted.
    let dir = profile();
    let mut small_opts = fast_options();
    small_opts.sync.first_chunk = 100;
    small_opts.sync.chunk = 400;
    let small = Engine::open(dir.path(), tb.credentials(), small_opts).unwrap();
    let id = small.add_account(&tb.account("alice")).unwrap();
    small.sync(id).await.unwrap();
    let inbox = small.store().find_folder(id, "INBOX").unwrap().id;
    let links = check_links(&small, inbox);
    assert!(links > 300, "the corpus has threads ({links} links)");

    // The default chunks: after the newest 500, the messages wait to be threaded by the
    // background thread once the sync is done, which announces them as changed.
    let dir = profile();
    let mut bulk_opts = fast_options();
    bulk_opts.sync.prefetch_newest = 0; // no bodies: their events would count as changes
    let bulk = Engine::open(dir.path(), tb.credentials(), bulk_opts).unwrap();
    let mut events = bulk.events();
    let id = bulk.add_account(&tb.account("alice")).unwrap();
    bulk.sync(id).await.unwrap();
    let inbox = bulk.store().find_folder(id, "INBOX").unwrap().id;
    let mut changed = BTreeSet::new();
    let start = Instant::now();
    while changed.len() < 2500 {
        let left = Duration::from_secs(30).saturating_sub(start.elapsed());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Some(Event::MessagesChanged { folder, ids, .. })) if folder == inbox => {
                changed.extend(ids)
            }
            Ok(Some(_)) => {}
            other => panic!(
                "threads not announced ({} so far): {other:?}",
                changed.len()
            ),
        }
    }
    assert_eq!(changed.len(), 2500, "the 2500 older ones, each once");
    assert_eq!(check_links(&bulk, inbox), links);
    // The subject fallback depends on the order messages arrive in, so the counts may
    // differ a little between the two chunkings; the links above may not.
    let (b, s) = (
        bulk.thread_count(Some(inbox)).unwrap(),
        small.thread_count(Some(inbox)).unwrap(),
    );
    assert!(b.abs_diff(s) * 100 < s, "{b} conversations vs {s}");
}
