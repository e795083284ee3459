//! Actions when things go wrong: queued while the server is down and the engine is killed
//! and restarted; another client gets there first; the server refuses; the connection
//! drops between two commands of one action. Nothing lost, nothing doubled.

use std::collections::BTreeMap;
use std::time::Duration;
use tern_engine::events::EventSender;
use tern_engine::imap::ops::Conn;
use tern_engine::message::flags;
use tern_engine::sync::Syncer;
use tern_engine::{Engine, ErrorKind, Event, MessageId, Security, SyncOptions};
use tern_testsupport::mirror::assert_mirrors;
use tern_testsupport::proxy::{Fault, Proxy};
use tern_testsupport::raw::RawClient;
use tern_testsupport::{fast_options, profile, Testbed};

const FOLDERS: [&str; 5] = ["INBOX", "Archive", "Junk", "Trash", "Sent"];

fn fid(engine: &Engine, account: i64, name: &str) -> i64 {
    engine.store().find_folder(account, name).unwrap().id
}

fn newest(engine: &Engine, account: i64, name: &str, n: u32) -> Vec<(MessageId, u32)> {
    engine
        .messages(fid(engine, account, name), 0, n)
        .unwrap()
        .iter()
        .map(|m| (m.id, m.uid))
        .collect()
}

/// Message-ID -> how many copies the server holds, over the given folders.
async fn census(raw: &mut RawClient, folders: &[&str]) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for f in folders {
        raw.select(f).await;
        for mid in raw.message_ids().await.into_values() {
            *n.entry(mid).or_default() += 1;
        }
    }
    n
}

async fn mid_of(raw: &mut RawClient, folder: &str, uid: u32) -> String {
    raw.select(folder).await;
    raw.message_ids().await[&uid].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_actions_survive_a_restart_and_apply_exactly_once() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 20);
    let dir = profile();
    let mut raw = tb.raw("alice").await;
    let before = census(&mut raw, &FOLDERS).await;
    assert_eq!(before.len(), 20);

    let (id, copied, counts) = {
        let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
        let id = engine.add_account(&tb.account("alice")).unwrap();
        engine.sync(id).await.unwrap();
        tb.stop_server();
        let m = newest(&engine, id, "INBOX", 9);
        let one = |i: usize| vec![m[i].0];
        engine
            .move_messages(&[m[0].0, m[1].0], fid(&engine, id, "Archive"))
            .unwrap();
        engine
            .copy_messages(&one(2), fid(&engine, id, "Junk"))
            .unwrap();
        engine.delete_messages(&one(3)).unwrap();
        engine.set_flags(&one(4), flags::FLAGGED, 0).unwrap();
        // Archived, then undone: cancelled locally, the server never sees it.
        let a = engine.archive_messages(&one(5)).unwrap();
        engine.undo(a.undo.unwrap()).unwrap();
        // Moved twice, flagged in between.
        engine
            .move_messages(&one(6), fid(&engine, id, "Archive"))
            .unwrap();
        engine.set_flags(&one(6), flags::SEEN, 0).unwrap();
        engine
            .move_messages(&one(6), fid(&engine, id, "Junk"))
            .unwrap();
        // Moved to Trash, then deleted for good there.
        engine.delete_messages(&one(7)).unwrap();
        engine.delete_messages(&one(7)).unwrap();
        let e = engine.sync(id).await.unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::Network | ErrorKind::Timeout),
            "{e}"
        );
        let counts: Vec<u32> = FOLDERS
            .iter()
            .map(|f| engine.store().find_folder(id, f).unwrap().total)
            .collect();
        assert_eq!(counts, vec![15, 2, 2, 1, 0]);
        (id, m[2].1, counts)
        // The engine is dropped here without a chance to send anything, as when killed:
        // every action was committed to the cache when it returned.
    };
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    assert!(
        engine.store().pending_count(id).unwrap() > 0,
        "the queue survived"
    );
    let again: Vec<u32> = FOLDERS
        .iter()
        .map(|f| engine.store().find_folder(id, f).unwrap().total)
        .collect();
    assert_eq!(again, counts, "the local view survived");

    tb.restart();
    engine.sync(id).await.unwrap();
    assert_eq!(
        engine.store().pending_count(id).unwrap(),
        0,
        "{:?}",
        engine.pending(id).unwrap()
    );
    assert!(engine.failures(Some(id)).unwrap().is_empty());
    let mut raw = tb.raw("alice").await;
    for f in FOLDERS {
        assert_mirrors(&engine, id, &mut raw, f).await;
    }
    // Exactly what the user did: one message copied, one deleted for good, none doubled.
    let after = census(&mut raw, &FOLDERS).await;
    let copied_mid = mid_of(&mut raw, "INBOX", copied).await;
    assert_eq!(after.len(), 19, "one message is gone for good");
    for (mid, n) in &after {
        let want = if *mid == copied_mid { 2 } else { 1 };
        assert_eq!(*n, want, "{mid}");
    }
    let again = engine.sync(id).await.unwrap();
    assert_eq!((again.added, again.removed), (0, 0), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_client_got_there_first_and_the_cache_is_corrected() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 10);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let m = newest(&engine, id, "INBOX", 3);
    let all: Vec<MessageId> = m.iter().map(|p| p.0).collect();
    engine
        .move_messages(&all, fid(&engine, id, "Archive"))
        .unwrap();
    // Before the replay: one is expunged by another client, one moved by it to Junk.
    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    raw.expunge_uids(&m[0].1.to_string()).await;
    raw.uid_move(&m[1].1.to_string(), "Junk").await;

    engine.sync(id).await.unwrap();
    assert_eq!(engine.store().pending_count(id).unwrap(), 0);
    assert!(
        engine.failures(Some(id)).unwrap().is_empty(),
        "a conflict is not a failure"
    );
    for f in ["INBOX", "Archive", "Junk"] {
        assert_mirrors(&engine, id, &mut raw, f).await;
    }
    let archived = engine.store().summaries(&[m[2].0]).unwrap();
    assert_eq!(archived[0].folder_id, fid(&engine, id, "Archive"));
    assert!(engine.store().summaries(&[m[0].0]).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_the_server_did_before_a_crash_is_adopted_not_repeated() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 6);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let m = newest(&engine, id, "INBOX", 1)[0];
    engine
        .move_messages(&[m.0], fid(&engine, id, "Archive"))
        .unwrap();
    // The server carried the move out, but the process died before the cache recorded it.
    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    raw.uid_move(&m.1.to_string(), "Archive").await;

    engine.sync(id).await.unwrap();
    let row = &engine.store().summaries(&[m.0]).unwrap()[0];
    assert_eq!(row.folder_id, fid(&engine, id, "Archive"));
    assert_ne!(row.uid, 0, "found again by Message-ID");
    for f in ["INBOX", "Archive"] {
        assert_mirrors(&engine, id, &mut raw, f).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_undoes_the_move_and_is_reported() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 8);
    let mut raw = tb.raw("alice").await;
    raw.create("Projects").await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let m = newest(&engine, id, "INBOX", 2);
    let all: Vec<MessageId> = m.iter().map(|p| p.0).collect();
    engine
        .move_messages(&all, fid(&engine, id, "Projects"))
        .unwrap();
    // The folder is deleted on the server before the move reaches it.
    raw.delete("Projects").await;
    let mut events = engine.events();

    engine.push_pending(id).await.unwrap();
    assert_eq!(engine.store().pending_count(id).unwrap(), 0);
    let failures = engine.failures(Some(id)).unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].error.kind, ErrorKind::Refused);
    assert_eq!(failures[0].description, "Moving 2 messages to Projects");
    let mut announced = None;
    while let Some(e) = events.try_recv() {
        if let Event::ActionFailed { failure, .. } = e {
            announced = Some(failure);
        }
    }
    assert_eq!(announced, Some(failures[0].id));
    // Reverted: back in INBOX with the UIDs they have there.
    for (row, (_, uid)) in engine.store().summaries(&all).unwrap().iter().zip(&m) {
        assert_eq!((row.folder_id, row.uid), (fid(&engine, id, "INBOX"), *uid));
    }
    assert_mirrors(&engine, id, &mut raw, "INBOX").await;
    engine.dismiss_failure(failures[0].id).unwrap();
    assert!(engine.failures(None).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_and_copies_between_accounts_append_then_delete() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 5);
    tb.seed("bob", "INBOX", 2);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let alice = engine.add_account(&tb.account("alice")).unwrap();
    let bob = engine.add_account(&tb.account("bob")).unwrap();
    engine.sync(alice).await.unwrap();
    engine.sync(bob).await.unwrap();
    let m = newest(&engine, alice, "INBOX", 2);
    engine.set_flags(&[m[0].0], flags::FLAGGED, 0).unwrap();
    engine
        .move_messages(&[m[0].0], fid(&engine, bob, "INBOX"))
        .unwrap();
    engine
        .copy_messages(&[m[1].0], fid(&engine, bob, "Archive"))
        .unwrap();
    assert_eq!(engine.store().find_folder(bob, "INBOX").unwrap().total, 3);

    engine.push_pending(alice).await.unwrap();
    assert_eq!(engine.store().pending_count(alice).unwrap(), 0);
    let moved = &engine.store().summaries(&[m[0].0]).unwrap()[0];
    assert_eq!(moved.folder_id, fid(&engine, bob, "INBOX"));
    assert_ne!(moved.uid, 0, "APPENDUID recorded");
    let mut a = tb.raw("alice").await;
    let mut b = tb.raw("bob").await;
    assert_mirrors(&engine, alice, &mut a, "INBOX").await;
    assert_mirrors(&engine, bob, &mut b, "INBOX").await;
    assert_mirrors(&engine, bob, &mut b, "Archive").await;
    b.select("INBOX").await;
    assert!(
        b.flags().await[&moved.uid].contains(&"\\Flagged".to_string()),
        "flags travel with the message"
    );
}

/// The connection drops after the APPEND to the other account and before the original is
/// deleted: the rerun finds the appended message by Message-ID instead of appending again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_account_move_cut_after_the_append_is_not_doubled() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 4);
    let proxy = Proxy::start(
        tb.imap_port,
        vec![Fault::Pass, Fault::CutOnCommand(vec![], "UID STORE".into())],
    )
    .await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let alice = engine
        .add_account(&tb.account_via("alice", Security::Plain, "127.0.0.1", proxy.port))
        .unwrap();
    let bob = engine.add_account(&tb.account("bob")).unwrap();
    engine.sync(alice).await.unwrap();
    engine.sync(bob).await.unwrap();
    let m = newest(&engine, alice, "INBOX", 1)[0];
    engine
        .move_messages(&[m.0], fid(&engine, bob, "INBOX"))
        .unwrap();
    let e = engine.push_pending(alice).await.unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Network | ErrorKind::Timeout),
        "{e}"
    );
    assert_eq!(engine.store().pending_count(alice).unwrap(), 1);

    tokio::time::sleep(Duration::from_millis(200)).await;
    engine.push_pending(alice).await.unwrap();
    let mut a = tb.raw("alice").await;
    let mut b = tb.raw("bob").await;
    assert_mirrors(&engine, alice, &mut a, "INBOX").await;
    assert_mirrors(&engine, bob, &mut b, "INBOX").await;
    let n = census(&mut b, &["INBOX"]).await;
    assert_eq!(n.len(), 1);
    assert!(n.values().all(|c| *c == 1), "appended once: {n:?}");
}

/// Without MOVE, the connection drops after UID COPY and before the original is expunged:
/// the rerun adopts the copy and expunges the original.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_and_expunge_move_cut_in_the_middle_is_not_doubled() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 4);
    let hide = || vec!["MOVE".to_string()];
    let proxy = Proxy::start(
        tb.imap_port,
        vec![
            Fault::HideCapabilities(hide()),
            Fault::CutOnCommand(hide(), "UID STORE".into()),
            Fault::HideCapabilities(hide()),
        ],
    )
    .await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine
        .add_account(&tb.account_via("alice", Security::Plain, "127.0.0.1", proxy.port))
        .unwrap();
    engine.sync(id).await.unwrap();
    let m = newest(&engine, id, "INBOX", 2);
    let all: Vec<MessageId> = m.iter().map(|p| p.0).collect();
    engine
        .move_messages(&all, fid(&engine, id, "Archive"))
        .unwrap();
    assert!(engine.push_pending(id).await.is_err());
    let mut raw = tb.raw("alice").await;
    raw.select("Archive").await;
    assert_eq!(raw.flags().await.len(), 2, "the COPY reached the server");

    engine.push_pending(id).await.unwrap();
    assert_eq!(engine.store().pending_count(id).unwrap(), 0);
    assert_mirrors(&engine, id, &mut raw, "INBOX").await;
    assert_mirrors(&engine, id, &mut raw, "Archive").await;
    let n = census(&mut raw, &["INBOX", "Archive"]).await;
    assert_eq!(n.len(), 4);
    assert!(n.values().all(|c| *c == 1), "nothing doubled: {n:?}");
    for row in engine.store().summaries(&all).unwrap() {
        assert_ne!(row.uid, 0);
    }
}

/// Syncs one folder the way the worker would, but without replaying the queue first.
async fn sync_only(tb: &Testbed, engine: &Engine, account: i64, name: &str) {
    let a = engine.account(account).unwrap();
    let mut conn = Conn::open(&a, &tb.password("alice"), fast_options().timeouts)
        .await
        .unwrap();
    let events = EventSender::new();
    let opts = SyncOptions::default();
    let folder = engine.store().find_folder(account, name).unwrap();
    let mut syncer = Syncer {
        conn: &mut conn,
        store: engine.store(),
        events: &events,
        account,
        opts: &opts,
    };
    syncer.sync_folder(&folder).await.unwrap();
    conn.logout().await;
}

/// The destination is synced while the move is still queued: once as the server had it
/// (our move not done), once after the server did it but the cache could not record it.
/// Neither ends with the message twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_synced_before_the_replay_gets_no_duplicate() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 6);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let m = newest(&engine, id, "INBOX", 2);
    let all: Vec<MessageId> = m.iter().map(|p| p.0).collect();
    engine
        .move_messages(&all, fid(&engine, id, "Archive"))
        .unwrap();
    sync_only(&tb, &engine, id, "Archive").await;
    sync_only(&tb, &engine, id, "INBOX").await;
    assert_eq!(engine.store().find_folder(id, "Archive").unwrap().total, 2);
    assert_eq!(engine.store().find_folder(id, "INBOX").unwrap().total, 4);
    // The server moved the first one already (the process died before recording it).
    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    raw.uid_move(&m[0].1.to_string(), "Archive").await;
    sync_only(&tb, &engine, id, "Archive").await;

    engine.sync(id).await.unwrap();
    assert_eq!(engine.store().pending_count(id).unwrap(), 0);
    for f in ["INBOX", "Archive"] {
        assert_mirrors(&engine, id, &mut raw, f).await;
    }
    let n = census(&mut raw, &["INBOX", "Archive"]).await;
    assert_eq!(n.len(), 6);
    assert!(n.values().all(|c| *c == 1), "{n:?}");
}

/// With the worker running: actions taken during an outage wait, and the worker sends them
/// by itself once it reconnects (retrying with backoff meanwhile).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_sends_what_waited_once_the_server_is_back() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 5);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    engine.start(id).unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    tb.stop_server();
    let mut events = engine.events();
    let m = newest(&engine, id, "INBOX", 2);
    let all: Vec<MessageId> = m.iter().map(|p| p.0).collect();
    engine.archive_messages(&all).unwrap();
    let mut waiting = None;
    while let Some(e) = events.try_recv() {
        if let Event::PendingChanged { count, .. } = e {
            waiting = Some(count);
        }
    }
    assert_eq!(waiting, Some(1), "the UI is told an action waits");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(engine.store().pending_count(id).unwrap(), 1);

    tb.restart();
    tern_testsupport::mirror::wait_replayed(&engine, id).await;
    let mut raw = tb.raw("alice").await;
    for f in ["INBOX", "Archive"] {
        assert_mirrors(&engine, id, &mut raw, f).await;
    }
}
