//! Offline mode (every body, whatever its size) against a real Dovecot: a first sync fetches
//! each message whole in one pass, stores the bodies as they came and decodes them after,
//! and ends with the same cache as the two-pass sync (headers, then bodies). Plus the first
//! sync's FETCH by sequence number over a folder whose UIDs have gaps.

use tern_engine::message::MessageDetail;
use tern_engine::{Engine, EngineOptions, Role};
use tern_testsupport::{fast_options, profile, Testbed};

fn offline() -> EngineOptions {
    let mut o = fast_options();
    o.sync.fetch_all_bodies();
    o
}

/// Every INBOX message as the reader would show it, by UID, without the ids that differ
/// between two caches.
fn inbox(engine: &Engine, account: i64) -> Vec<(u32, MessageDetail)> {
    let f = engine.store().find_folder(account, "INBOX").unwrap();
    let mut all: Vec<(u32, MessageDetail)> = engine
        .messages(f.id, 0, 100_000)
        .unwrap()
        .into_iter()
        .map(|m| {
            let mut d = engine.store().message(m.id).unwrap();
            d.summary.id = 0;
            d.summary.folder_id = 0;
            d.summary.thread_id = 0;
            (m.uid, d)
        })
        .collect();
    all.sort_by_key(|(uid, _)| *uid);
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_mode_fetches_whole_messages_in_one_pass_with_the_two_pass_result() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 1200);

    let dir = profile();
    let whole = Engine::open(dir.path(), tb.credentials(), offline()).unwrap();
    let id = whole.add_account(&tb.account("alice")).unwrap();
    let r = whole.sync(id).await.unwrap();
    assert_eq!((r.added, r.bodies), (1200, 1200), "{r:?}");
    // Readable at once, before the bodies are decoded for search: opening parses the raw
    // message (and needs no server: nothing is fetched here).
    let before = inbox(&whole, id);
    assert!(before.iter().all(|(_, d)| d.body.is_some()));
    assert_eq!(
        whole.sync(id).await.unwrap().bodies,
        0,
        "nothing left to fetch"
    );

    // The same mailbox the old way: headers first, then every body on its own FETCH.
    let dir2 = profile();
    let mut two = fast_options();
    two.sync.prefetch_newest = 5000;
    let reference = Engine::open(dir2.path(), tb.credentials(), two).unwrap();
    let id2 = reference.add_account(&tb.account("alice")).unwrap();
    let r2 = reference.sync(id2).await.unwrap();
    assert_eq!((r2.added, r2.bodies), (1200, 1200), "{r2:?}");

    whole.store().catch_up_threads().unwrap();
    whole.store().catch_up_search_index().unwrap();
    reference.store().catch_up_threads().unwrap();
    reference.store().catch_up_search_index().unwrap();
    let (a, b) = (inbox(&whole, id), inbox(&reference, id2));
    assert_eq!(a.len(), 1200);
    for ((ua, da), (ub, db)) in a.iter().zip(&b) {
        assert_eq!(ua, ub);
        assert_eq!(da, db, "message {ua} differs between one pass and two");
    }
    assert!(
        a.iter().all(|(_, d)| !d.summary.snippet.is_empty()),
        "every snippet was filled in once decoded"
    );
    // Words of the decoded bodies are found, as in the reference.
    let word = a[0]
        .1
        .body
        .as_ref()
        .unwrap()
        .text
        .split(|c: char| !c.is_alphabetic())
        .find(|w| w.len() >= 7)
        .expect("a long word in the body")
        .to_lowercase();
    let found = whole.search_count(&word, None).unwrap();
    assert!(found >= 1, "{word}");
    assert_eq!(
        found,
        reference.search_count(&word, None).unwrap(),
        "{word}"
    );
    // Conversations are the same too, once threaded.
    let f = whole.store().find_folder(id, "INBOX").unwrap();
    let f2 = reference.store().find_folder(id2, "INBOX").unwrap();
    assert_eq!(
        whole.thread_count(Some(f.id)).unwrap(),
        reference.thread_count(Some(f2.id)).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_gets_every_message_of_a_folder_whose_uids_have_gaps() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 40);
    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    raw.expunge_uids("1,5:12,20,39:40").await;
    let server: Vec<u32> = raw.flags().await.into_keys().collect();
    assert_eq!(server.len(), 28);

    let dir = profile();
    let mut o = fast_options();
    o.sync.first_chunk = 3;
    o.sync.chunk = 7;
    let engine = Engine::open(dir.path(), tb.credentials(), o).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    assert_eq!(engine.sync(id).await.unwrap().added, 28);
    let f = engine.store().find_folder(id, "INBOX").unwrap();
    assert_eq!(f.role, Role::Inbox);
    assert_eq!(engine.store().uids(f.id).unwrap(), server);
    // Each row is the message with that UID, not its neighbour's.
    let ids = raw.message_ids().await;
    for m in engine.messages(f.id, 0, 100).unwrap() {
        let d = engine.store().message(m.id).unwrap();
        assert_eq!(
            ids[&m.uid].trim_matches(['<', '>']),
            d.message_id,
            "UID {}",
            m.uid
        );
    }
}
