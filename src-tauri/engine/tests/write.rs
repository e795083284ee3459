//! The write path for flags: the change shows in the cache at once, is queued durably, and
//! reaches the server exactly once, also across an outage and a restart of the engine.

use std::time::Duration;
use tern_engine::message::flags;
use tern_engine::{Engine, ErrorKind};
use tern_testsupport::{fast_options, profile, Testbed};

async fn wait_until_replayed(engine: &Engine, account: i64) {
    for _ in 0..100 {
        if engine.store().pending_count(account).unwrap() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("queued actions were not replayed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_show_at_once_and_reach_the_server() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 40);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    engine.start(id).unwrap();
    let inbox = engine.store().find_folder(id, "INBOX").unwrap();
    let msgs = engine.messages(inbox.id, 0, 5).unwrap();
    let ids: Vec<i64> = msgs.iter().map(|m| m.id).collect();
    let before_unread = inbox.unread;
    let unread_picked = msgs.iter().filter(|m| m.flags & flags::SEEN == 0).count() as u32;

    engine
        .set_flags(&ids, flags::SEEN | flags::FLAGGED, 0)
        .unwrap();
    // Optimistic: the cache already shows it, before any network round trip.
    for m in engine.store().summaries(&ids).unwrap() {
        assert_eq!(
            m.flags & (flags::SEEN | flags::FLAGGED),
            flags::SEEN | flags::FLAGGED
        );
    }
    assert_eq!(
        engine.store().folder(inbox.id).unwrap().unread,
        before_unread - unread_picked
    );
    wait_until_replayed(&engine, id).await;

    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    let server = raw.flags().await;
    for m in &msgs {
        let f = &server[&m.uid];
        assert!(
            f.contains(&"\\Seen".to_string()) && f.contains(&"\\Flagged".to_string()),
            "uid {}: {f:?}",
            m.uid
        );
    }
    engine.set_flags(&ids[..2], 0, flags::FLAGGED).unwrap();
    wait_until_replayed(&engine, id).await;
    let server = raw.flags().await;
    assert!(!server[&msgs[0].uid].contains(&"\\Flagged".to_string()));
    assert!(server[&msgs[2].uid].contains(&"\\Flagged".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_while_offline_survives_a_restart_and_applies_once() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 30);
    let dir = profile();
    let (id, picked) = {
        let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
        let id = engine.add_account(&tb.account("alice")).unwrap();
        engine.sync(id).await.unwrap();
        tb.stop_server();
        let inbox = engine.store().find_folder(id, "INBOX").unwrap();
        let msgs = engine.messages(inbox.id, 0, 30).unwrap();
        let picked: Vec<(i64, u32)> = msgs
            .iter()
            .filter(|m| m.flags & flags::FLAGGED == 0)
            .take(3)
            .map(|m| (m.id, m.uid))
            .collect();
        let ids: Vec<i64> = picked.iter().map(|p| p.0).collect();
        engine.set_flags(&ids, flags::FLAGGED, 0).unwrap();
        let e = engine.sync(id).await.unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::Network | ErrorKind::Timeout),
            "{e}"
        );
        assert_eq!(
            engine.store().pending_count(id).unwrap(),
            1,
            "still queued after the failure"
        );
        (id, picked)
        // The engine is dropped here, as when the app is closed or killed.
    };
    tb.restart();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    assert_eq!(
        engine.store().pending_count(id).unwrap(),
        1,
        "the queue survived the restart"
    );
    engine.sync(id).await.unwrap();
    assert_eq!(
        engine.store().pending_count(id).unwrap(),
        0,
        "{:?}",
        engine.store().pending_ops(id).unwrap()
    );
    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    let server = raw.flags().await;
    for (_, uid) in &picked {
        assert!(server[uid].contains(&"\\Flagged".to_string()), "uid {uid}");
    }
    let flagged = server
        .values()
        .filter(|f| f.contains(&"\\Flagged".to_string()))
        .count();
    let cache_flagged = engine
        .store()
        .flag_map(engine.store().find_folder(id, "INBOX").unwrap().id)
        .unwrap()
        .values()
        .filter(|(b, _)| b & flags::FLAGGED != 0)
        .count();
    assert_eq!(
        flagged, cache_flagged,
        "server and cache agree after replay"
    );
}
