//! Acting on mail against a real Dovecot: move, copy, delete, archive, junk, several at
//! once, with and without MOVE, undo before and after the server has it, chained moves.
//! Each test checks the cache at once, then server and cache with a second raw session.

use tern_engine::message::flags;
use tern_engine::{Engine, Event, MessageId, Role, Security};
use tern_testsupport::mirror::{assert_mirrors, wait_replayed};
use tern_testsupport::proxy::{Fault, Proxy};
use tern_testsupport::{fast_options, profile, Testbed};

struct Setup {
    engine: Engine,
    id: i64,
    _dir: tempfile::TempDir,
}

async fn setup(tb: &Testbed, inbox: u32) -> Setup {
    tb.seed("alice", "INBOX", inbox);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    Setup {
        engine,
        id,
        _dir: dir,
    }
}

fn folder(s: &Setup, name: &str) -> tern_engine::Folder {
    s.engine.store().find_folder(s.id, name).unwrap()
}

/// The newest `n` messages of a folder: (id, uid).
fn newest(s: &Setup, name: &str, n: u32) -> Vec<(MessageId, u32)> {
    s.engine
        .messages(folder(s, name).id, 0, n)
        .unwrap()
        .iter()
        .map(|m| (m.id, m.uid))
        .collect()
}

fn ids(v: &[(MessageId, u32)]) -> Vec<MessageId> {
    v.iter().map(|p| p.0).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_shows_at_once_and_reaches_the_server_with_its_new_uids() {
    let tb = Testbed::start();
    let s = setup(&tb, 12).await;
    s.engine.start(s.id).unwrap();
    let picked = newest(&s, "INBOX", 3);
    let before = s.engine.store().summaries(&ids(&picked)).unwrap();
    let mut events = s.engine.events();

    let action = s
        .engine
        .move_messages(&ids(&picked), folder(&s, "Archive").id)
        .unwrap();
    assert_eq!(action.ids, ids(&picked), "moved rows keep their ids");
    assert!(action.undo.is_some());
    // Optimistic: the rows are in Archive and the counts changed before any round trip.
    let archive = folder(&s, "Archive");
    assert_eq!((folder(&s, "INBOX").total, archive.total), (9, 3));
    for m in s.engine.store().summaries(&ids(&picked)).unwrap() {
        assert_eq!(m.folder_id, archive.id);
    }
    let mut saw_removed = false;
    while let Some(e) = events.try_recv() {
        saw_removed |= matches!(e, Event::MessagesRemoved { ids, .. } if ids.len() == 3);
    }
    assert!(saw_removed, "the list is told at once");

    wait_replayed(&s.engine, s.id).await;
    // COPYUID gave every moved row its UID in Archive: no rescan was needed.
    let after = s.engine.store().summaries(&ids(&picked)).unwrap();
    assert!(after.iter().all(|m| m.uid != 0), "{after:?}");
    // Threads and search follow the moved message.
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b.thread_id, a.thread_id);
    }
    let hits = s
        .engine
        .search(&format!("subject:\"{}\"", before[0].subject), None, 0, 10)
        .unwrap();
    assert!(hits.iter().any(|h| h.message.id == picked[0].0), "{hits:?}");

    let mut raw = tb.raw("alice").await;
    assert_mirrors(&s.engine, s.id, &mut raw, "INBOX").await;
    assert_mirrors(&s.engine, s.id, &mut raw, "Archive").await;
    s.engine.sync(s.id).await.unwrap();
    assert_eq!(
        s.engine.store().summaries(&ids(&picked)).unwrap(),
        after,
        "a sync changes nothing: the cache was already right"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_delete_archive_and_junk_reach_the_server() {
    let tb = Testbed::start();
    let s = setup(&tb, 20).await;
    s.engine.start(s.id).unwrap();
    let mut raw = tb.raw("alice").await;
    let picked = newest(&s, "INBOX", 8);

    // Copy two to Archive: new rows at once, the originals stay.
    let copy = s
        .engine
        .copy_messages(&ids(&picked[..2]), folder(&s, "Archive").id)
        .unwrap();
    assert_eq!(copy.ids.len(), 2);
    assert!(copy.undo.is_none());
    assert!(copy.ids.iter().all(|c| !ids(&picked).contains(c)));
    assert_eq!(folder(&s, "INBOX").total, 20);
    assert_eq!(folder(&s, "Archive").total, 2);
    // Archive two others, junk two, delete two (to Trash), in one go each.
    s.engine.archive_messages(&ids(&picked[2..4])).unwrap();
    s.engine.mark_junk(&ids(&picked[4..6]), true).unwrap();
    s.engine.delete_messages(&ids(&picked[6..8])).unwrap();
    assert_eq!(folder(&s, "INBOX").total, 14);
    assert_eq!(folder(&s, "Archive").total, 4);
    assert_eq!(folder(&s, "Junk").total, 2);
    assert_eq!(folder(&s, "Trash").total, 2);
    wait_replayed(&s.engine, s.id).await;
    for f in ["INBOX", "Archive", "Junk", "Trash"] {
        assert_mirrors(&s.engine, s.id, &mut raw, f).await;
    }

    // Not junk: back to INBOX. Deleting in Trash deletes for good.
    s.engine.mark_junk(&ids(&picked[4..6]), false).unwrap();
    let gone = s.engine.delete_messages(&ids(&picked[6..8])).unwrap();
    assert!(gone.undo.is_none(), "deleting for good cannot be undone");
    assert_eq!(folder(&s, "Trash").total, 0);
    wait_replayed(&s.engine, s.id).await;
    for f in ["INBOX", "Junk", "Trash"] {
        assert_mirrors(&s.engine, s.id, &mut raw, f).await;
    }
    assert_eq!(folder(&s, "INBOX").total, 16);

    // Flags on a message whose UID came from COPYUID go to the right message.
    let back = picked[4].0;
    s.engine.set_flags(&[back], flags::FLAGGED, 0).unwrap();
    wait_replayed(&s.engine, s.id).await;
    assert_mirrors(&s.engine, s.id, &mut raw, "INBOX").await;
    let uid = s.engine.store().locate(back).unwrap().1;
    raw.select("INBOX").await;
    assert!(raw.flags().await[&uid].contains(&"\\Flagged".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_move_copy_and_uid_expunge_touch_only_the_chosen_messages() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 10);
    let proxy = Proxy::start(
        tb.imap_port,
        (0..20)
            .map(|_| Fault::HideCapabilities(vec!["MOVE".into()]))
            .collect(),
    )
    .await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine
        .add_account(&tb.account_via("alice", Security::Plain, "127.0.0.1", proxy.port))
        .unwrap();
    engine.sync(id).await.unwrap();
    let s = Setup {
        engine,
        id,
        _dir: dir,
    };
    // Another client marked a message \Deleted without expunging it: it must survive.
    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    let marked = *raw.flags().await.keys().next().unwrap();
    raw.store(&marked.to_string(), "+FLAGS.SILENT (\\Deleted)")
        .await;
    s.engine.sync(s.id).await.unwrap();

    let picked: Vec<_> = newest(&s, "INBOX", 4)
        .into_iter()
        .filter(|p| p.1 != marked)
        .take(3)
        .collect();
    s.engine
        .move_messages(&ids(&picked), folder(&s, "Archive").id)
        .unwrap();
    s.engine.push_pending(s.id).await.unwrap();
    assert_eq!(s.engine.store().pending_count(s.id).unwrap(), 0);
    let moved = s.engine.store().summaries(&ids(&picked)).unwrap();
    assert!(
        moved.iter().all(|m| m.uid != 0),
        "COPYUID recorded: {moved:?}"
    );
    assert_mirrors(&s.engine, s.id, &mut raw, "INBOX").await;
    assert_mirrors(&s.engine, s.id, &mut raw, "Archive").await;
    raw.select("INBOX").await;
    let server = raw.flags().await;
    assert!(
        server[&marked].contains(&"\\Deleted".to_string()),
        "the other client's \\Deleted message is still there"
    );
    assert_eq!(server.len(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_before_replay_cancels_and_after_replay_moves_back() {
    let tb = Testbed::start();
    // No worker: actions wait until pushed, as when offline.
    let s = setup(&tb, 10).await;
    let mut raw = tb.raw("alice").await;
    let picked = newest(&s, "INBOX", 2);

    let del = s.engine.delete_messages(&ids(&picked)).unwrap();
    assert_eq!(folder(&s, "Trash").total, 2);
    assert_eq!(s.engine.store().pending_count(s.id).unwrap(), 1);
    assert_eq!(s.engine.last_undo().unwrap().unwrap().id, del.undo.unwrap());
    s.engine.undo(del.undo.unwrap()).unwrap();
    // Cancelled: back with the same UIDs, nothing left for the server.
    let back = s.engine.store().summaries(&ids(&picked)).unwrap();
    for (m, (_, uid)) in back.iter().zip(&picked) {
        assert_eq!((m.folder_id, m.uid), (folder(&s, "INBOX").id, *uid));
    }
    assert_eq!(s.engine.store().pending_count(s.id).unwrap(), 0);
    assert_eq!(folder(&s, "Trash").total, 0);
    assert!(
        s.engine.undo(del.undo.unwrap()).is_err(),
        "undo is used once"
    );
    s.engine.push_pending(s.id).await.unwrap();
    assert_mirrors(&s.engine, s.id, &mut raw, "INBOX").await;
    assert_mirrors(&s.engine, s.id, &mut raw, "Trash").await;

    // After the replay, undo queues the move back from the UIDs COPYUID reported.
    let arch = s.engine.archive_messages(&ids(&picked)).unwrap();
    s.engine.push_pending(s.id).await.unwrap();
    assert_mirrors(&s.engine, s.id, &mut raw, "Archive").await;
    s.engine.undo(arch.undo.unwrap()).unwrap();
    assert_eq!(folder(&s, "Archive").total, 0);
    assert_eq!(folder(&s, "INBOX").total, 10);
    s.engine.push_pending(s.id).await.unwrap();
    assert_mirrors(&s.engine, s.id, &mut raw, "INBOX").await;
    assert_mirrors(&s.engine, s.id, &mut raw, "Archive").await;
    let ids_now: Vec<_> = s.engine.store().summaries(&ids(&picked)).unwrap();
    assert!(ids_now
        .iter()
        .all(|m| m.folder_id == folder(&s, "INBOX").id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chained_moves_and_flags_before_replay_end_in_the_last_folder() {
    let tb = Testbed::start();
    let s = setup(&tb, 10).await;
    let mut raw = tb.raw("alice").await;
    let picked = newest(&s, "INBOX", 3);
    s.engine
        .move_messages(&ids(&picked), folder(&s, "Archive").id)
        .unwrap();
    // Flag one while its UID in Archive is not known yet, then move all on to Junk, and
    // one of them back to INBOX (which cancels its part of the first move).
    s.engine
        .set_flags(&[picked[0].0], flags::FLAGGED, 0)
        .unwrap();
    s.engine
        .move_messages(&ids(&picked), folder(&s, "Junk").id)
        .unwrap();
    s.engine
        .move_messages(&[picked[2].0], folder(&s, "INBOX").id)
        .unwrap();
    assert_eq!(folder(&s, "Junk").total, 2);
    assert_eq!(folder(&s, "Archive").total, 0);
    assert_eq!(folder(&s, "INBOX").total, 8);

    s.engine.push_pending(s.id).await.unwrap();
    assert_eq!(s.engine.store().pending_count(s.id).unwrap(), 0);
    for f in ["INBOX", "Archive", "Junk"] {
        assert_mirrors(&s.engine, s.id, &mut raw, f).await;
    }
    let flagged = s.engine.store().summaries(&[picked[0].0]).unwrap();
    assert_eq!(flagged[0].folder_id, folder(&s, "Junk").id);
    assert!(flagged[0].flags & flags::FLAGGED != 0);
    let third = s.engine.store().summaries(&[picked[2].0]).unwrap();
    assert_eq!(
        third[0].uid, picked[2].1,
        "moved back before replay: same UID"
    );
    assert!(s
        .engine
        .store()
        .folders(s.id)
        .unwrap()
        .iter()
        .any(|f| f.role == Role::Junk && f.total == 2));
}

/// A server without UIDPLUS gives no COPYUID: the moved messages are found again in the
/// destination by Message-ID, and a plain EXPUNGE is only used when it removes nothing else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_uidplus_new_uids_are_found_by_message_id() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 10);
    let hide = || Fault::HideCapabilities(vec!["MOVE".into(), "UIDPLUS".into()]);
    let proxy = Proxy::start(tb.imap_port, (0..20).map(|_| hide()).collect()).await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine
        .add_account(&tb.account_via("alice", Security::Plain, "127.0.0.1", proxy.port))
        .unwrap();
    engine.sync(id).await.unwrap();
    let s = Setup {
        engine,
        id,
        _dir: dir,
    };
    let mut raw = tb.raw("alice").await;
    let picked = newest(&s, "INBOX", 5);
    s.engine
        .move_messages(&ids(&picked[..3]), folder(&s, "Archive").id)
        .unwrap();
    let copy = s
        .engine
        .copy_messages(&ids(&picked[3..4]), folder(&s, "Junk").id)
        .unwrap();
    s.engine.push_pending(s.id).await.unwrap();
    for m in s.engine.store().summaries(&ids(&picked[..3])).unwrap() {
        assert_eq!(m.folder_id, folder(&s, "Archive").id);
        assert_ne!(m.uid, 0, "found by Message-ID");
    }
    assert_ne!(s.engine.store().summaries(&copy.ids).unwrap()[0].uid, 0);
    for f in ["INBOX", "Archive", "Junk"] {
        assert_mirrors(&s.engine, s.id, &mut raw, f).await;
    }

    // Another client's \Deleted message: ours is only marked, never a plain EXPUNGE.
    raw.select("INBOX").await;
    let theirs = picked[4].1;
    raw.store(&theirs.to_string(), "+FLAGS.SILENT (\\Deleted)")
        .await;
    let last = newest(&s, "INBOX", 10)
        .into_iter()
        .find(|p| p.1 != theirs)
        .unwrap();
    s.engine
        .move_messages(&[last.0], folder(&s, "Archive").id)
        .unwrap();
    s.engine.push_pending(s.id).await.unwrap();
    raw.select("INBOX").await;
    let server = raw.flags().await;
    assert!(
        server.contains_key(&theirs),
        "the other client's message survives"
    );
    assert!(server[&last.1].contains(&"\\Deleted".to_string()));
    assert_mirrors(&s.engine, s.id, &mut raw, "Archive").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_moved_back_to_inbox_is_not_new_mail_for_idle() {
    let tb = Testbed::start();
    let s = setup(&tb, 6).await;
    let mut events = s.engine.events();
    s.engine.start(s.id).unwrap();
    // The worker's first sync and its IDLE connection on INBOX.
    wait_replayed(&s.engine, s.id).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let picked = newest(&s, "INBOX", 1);
    s.engine
        .move_messages(&ids(&picked), folder(&s, "Archive").id)
        .unwrap();
    wait_replayed(&s.engine, s.id).await;
    s.engine
        .move_messages(&ids(&picked), folder(&s, "INBOX").id)
        .unwrap();
    wait_replayed(&s.engine, s.id).await;
    // Dovecot tells the IDLE connection of the message's new UID in INBOX about half a
    // second later; the IDLE connection fetches new mail itself, after the replay that
    // recorded that UID.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    while let Some(e) = events.try_recv() {
        assert!(!matches!(e, Event::NewMail { .. }), "{e:?}");
    }
    let inbox = folder(&s, "INBOX");
    assert_eq!(inbox.total, 6);
    assert_eq!(
        s.engine.store().uids(inbox.id).unwrap().len(),
        6,
        "no second row"
    );
    let mut raw = tb.raw("alice").await;
    assert_mirrors(&s.engine, s.id, &mut raw, "INBOX").await;
    assert_mirrors(&s.engine, s.id, &mut raw, "Archive").await;
}
