//! Acting on mail from the command line against a real Dovecot: move, undo, delete, read,
//! pending, folders; and an action taken while the server is down, sent by the next sync.

use std::process::{Command, Output};
use tern_testsupport::raw::RawClient;
use tern_testsupport::Testbed;

fn tern(profile: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tern"));
    c.env("TERN_DATA_DIR", profile)
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    c
}

fn run(profile: &std::path::Path, args: &[&str]) -> Output {
    tern(profile).args(args).output().unwrap()
}

fn ok(profile: &std::path::Path, args: &[&str]) -> String {
    let out = run(profile, args);
    assert!(
        out.status.success(),
        "tern {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(profile: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(profile, &all)).unwrap()
}

fn add_alice(tb: &Testbed, profile: &std::path::Path) {
    let port = tb.imaps_port.to_string();
    let pw = format!("echo {}", tb.password("alice"));
    ok(
        profile,
        &[
            "account",
            "add",
            "--email",
            "alice@example.org",
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            &port,
            "--username",
            "alice",
            "--ca-file",
            tb.ca_file.to_str().unwrap(),
            "--password-command",
            &pw,
        ],
    );
    ok(profile, &["sync"]);
}

fn inbox_ids(profile: &std::path::Path) -> Vec<String> {
    json(profile, &["list", "inbox"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].to_string())
        .collect()
}

fn count(rt: &tokio::runtime::Runtime, raw: &mut RawClient, folder: &str) -> u32 {
    rt.block_on(raw.select(folder)).exists
}

#[test]
fn move_undo_delete_read_and_folders() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 6);
    let p = tempfile::tempdir().unwrap();
    let p = p.path();
    add_alice(&tb, p);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut raw = rt.block_on(tb.raw("alice"));
    let ids = inbox_ids(p);

    let moved = json(p, &["move", &ids[0], &ids[1], "--to", "archive"]);
    assert_eq!(moved["ids"].as_array().unwrap().len(), 2);
    assert_eq!(
        (moved["sent"].as_bool(), moved["pending"].as_u64()),
        (Some(true), Some(0))
    );
    assert_eq!(count(&rt, &mut raw, "Archive"), 2);
    let text = ok(p, &["undo"]);
    assert!(text.contains("Put back 2 messages"), "{text}");
    assert_eq!(count(&rt, &mut raw, "Archive"), 0);
    assert_eq!(count(&rt, &mut raw, "INBOX"), 6);

    ok(p, &["read", &ids[2], "--unread"]);
    ok(p, &["flag", &ids[2]]);
    let text = ok(p, &["delete", &ids[3]]);
    assert!(
        text.contains("Deleted 1 message (undo: tern undo"),
        "{text}"
    );
    assert_eq!(count(&rt, &mut raw, "Trash"), 1);
    ok(p, &["delete", &ids[3]]);
    assert_eq!(
        count(&rt, &mut raw, "Trash"),
        0,
        "deleted for good in Trash"
    );

    // Folders: created, filled through the queue, refused while not empty, then forced.
    ok(p, &["folder", "create", "Projects"]);
    ok(p, &["folder", "create", "2025", "--parent", "Projects"]);
    let queued = json(
        p,
        &["move", &ids[4], "--to", "Projects/2025", "--queue-only"],
    );
    assert_eq!(queued["pending"], 1);
    let pending = json(p, &["pending"]);
    assert_eq!(
        pending[0]["pending"][0]["description"],
        "Moving 1 message to Projects/2025"
    );
    ok(p, &["folder", "rename", "Projects", "Work"]);
    assert_eq!(
        count(&rt, &mut raw, "Work/2025"),
        1,
        "the rename sent the queue first"
    );
    let refused = run(p, &["folder", "delete", "Work/2025"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not-empty error"));
    ok(p, &["folder", "unsubscribe", "Work/2025"]);
    assert!(!rt
        .block_on(raw.folders(true))
        .contains(&"Work/2025".to_string()));
    ok(p, &["folder", "delete", "Work", "--force"]);
    assert!(!rt
        .block_on(raw.folders(false))
        .iter()
        .any(|f| f.starts_with("Work")));
    let flags = rt.block_on(async {
        raw.select("INBOX").await;
        raw.flags().await
    });
    assert!(flags.values().any(|f| f == &vec!["\\Flagged".to_string()]));
    assert_eq!(flags.len(), 4);
}

#[test]
fn an_action_taken_offline_waits_and_the_next_sync_sends_it() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 3);
    let p = tempfile::tempdir().unwrap();
    let p = p.path();
    add_alice(&tb, p);
    let ids = inbox_ids(p);
    tb.stop_server();
    let text = ok(p, &["archive", &ids[0]]);
    assert!(text.contains("Queued; not sent yet"), "{text}");
    let waiting = ok(p, &["pending"]);
    assert!(
        waiting.contains("waiting: Moving 1 message to Archive"),
        "{waiting}"
    );
    let listed = json(p, &["list", "archive"]);
    assert_eq!(
        listed[0]["uid"], 0,
        "shown in Archive at once, not on the server yet"
    );

    tb.restart();
    ok(p, &["sync"]);
    assert!(ok(p, &["pending"]).contains("nothing waits"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut raw = rt.block_on(tb.raw("alice"));
    assert_eq!(count(&rt, &mut raw, "Archive"), 1);
    assert_eq!(count(&rt, &mut raw, "INBOX"), 2);
    let listed = json(p, &["list", "archive"]);
    assert_ne!(listed[0]["uid"], 0);
}
