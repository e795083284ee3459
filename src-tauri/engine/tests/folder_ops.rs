//! Folder management against a real Dovecot: create (top level and nested), rename with
//! the messages kept, subscribe and unsubscribe, delete refused when not empty and forced,
//! special folders protected; and reading a moved message before the server has it.

use std::time::Duration;
use tern_engine::{Engine, ErrorKind, Event, Events};
use tern_testsupport::mirror::assert_mirrors;
use tern_testsupport::{fast_options, profile, Testbed};

async fn folders_changed(events: &mut Events) {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(Event::FoldersChanged { .. }) = events.recv().await {
                return;
            }
        }
    })
    .await
    .expect("the folder tree is announced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_are_created_renamed_subscribed_and_deleted() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 6);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    engine.start(id).unwrap();
    let mut events = engine.events();
    let mut raw = tb.raw("alice").await;

    let projects = engine.create_folder(id, None, "Projects").await.unwrap();
    folders_changed(&mut events).await;
    let year = engine
        .create_folder(id, Some(projects.id), "Früh 2025")
        .await
        .unwrap();
    assert_eq!(year.display_name, "Projects/Früh 2025");
    assert_eq!(
        year.name, "Projects/Fr&APw-h 2025",
        "modified UTF-7 on the wire"
    );
    assert!(year.subscribed);
    assert!(raw.folders(true).await.contains(&year.name));

    // Fill it through the queue, then rename the parent: rows and messages stay.
    let msgs: Vec<i64> = engine
        .messages(engine.store().find_folder(id, "INBOX").unwrap().id, 0, 2)
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    engine.move_messages(&msgs, year.id).unwrap();
    let mut events = engine.events();
    let work = engine.rename_folder(projects.id, "Work").await.unwrap();
    assert_eq!(work.id, projects.id, "the same folder, renamed");
    // The tree on screen must learn of it, though the cache changed before the LIST.
    let mut told = false;
    while let Some(e) = events.try_recv() {
        told |= e == tern_engine::Event::FoldersChanged { account: id };
    }
    assert!(told, "a rename announces FoldersChanged");
    let year = engine.store().folder(year.id).unwrap();
    assert_eq!(year.name, "Work/Fr&APw-h 2025");
    assert_eq!(year.total, 2);
    let listed = raw.folders(false).await;
    assert!(listed.contains(&"Work".to_string()) && !listed.contains(&"Projects".to_string()));
    assert!(
        raw.folders(true).await.contains(&year.name),
        "subscriptions follow"
    );
    assert_mirrors(&engine, id, &mut raw, &year.name).await;
    for m in engine.store().summaries(&msgs).unwrap() {
        assert_eq!(m.folder_id, year.id);
    }

    engine.set_subscribed(year.id, false).await.unwrap();
    assert!(!engine.store().folder(year.id).unwrap().subscribed);
    assert!(!raw.folders(true).await.contains(&year.name));
    engine.set_subscribed(year.id, true).await.unwrap();
    assert!(engine.store().folder(year.id).unwrap().subscribed);

    // Not empty: refused with a kind the UI can ask about, then forced.
    let e = engine.delete_folder(work.id, false).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotEmpty, "{e}");
    let e = engine.delete_folder(year.id, false).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotEmpty, "{e}");
    assert!(e.message.contains("2 messages"), "{e}");
    engine.delete_folder(work.id, true).await.unwrap();
    let listed = raw.folders(false).await;
    assert!(!listed.iter().any(|f| f.starts_with("Work")), "{listed:?}");
    assert!(engine.store().find_folder(id, "Work").is_err());
    assert!(engine.store().summaries(&msgs).unwrap().is_empty());

    // An empty folder goes without force.
    let empty = engine.create_folder(id, None, "Scratch").await.unwrap();
    engine.delete_folder(empty.id, false).await.unwrap();
    assert!(!raw.folders(false).await.contains(&"Scratch".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn special_folders_and_bad_names_are_refused_and_offline_says_so() {
    let tb = Testbed::start();
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let trash = engine.store().find_folder(id, "Trash").unwrap();
    let inbox = engine.store().find_folder(id, "INBOX").unwrap();
    for e in [
        engine.delete_folder(trash.id, true).await.unwrap_err(),
        engine.rename_folder(inbox.id, "Mail").await.unwrap_err(),
        engine.create_folder(id, None, "a/b").await.unwrap_err(),
        engine.create_folder(id, None, " ").await.unwrap_err(),
    ] {
        assert_eq!(e.kind, ErrorKind::Refused, "{e}");
    }
    let e = engine.create_folder(id, None, "Archive").await.unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Refused,
        "the server refuses a name taken: {e}"
    );
    tb.stop_server();
    let e = engine.create_folder(id, None, "Later").await.unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Network | ErrorKind::Timeout),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_message_opens_before_the_server_has_it() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 3);
    let dir = profile();
    let mut opts = fast_options();
    opts.sync.prefetch_newest = 0;
    let engine = Engine::open(dir.path(), tb.credentials(), opts).unwrap();
    let id = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(id).await.unwrap();
    let inbox = engine.store().find_folder(id, "INBOX").unwrap();
    let m = engine.messages(inbox.id, 0, 1).unwrap()[0].clone();
    let archive = engine.store().find_folder(id, "Archive").unwrap();
    engine.move_messages(&[m.id], archive.id).unwrap();
    let copy = engine.copy_messages(&[m.id], inbox.id).unwrap().ids[0];
    // Not replayed yet: the bodies come from where the server still has the message.
    for id in [m.id, copy] {
        let detail = engine.message(id).await.unwrap();
        assert!(detail.body.is_some());
        assert_eq!(detail.summary.uid, 0, "still provisional");
    }
}
