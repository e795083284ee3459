//! Writing mail from the command line against the testbed's Postfix: send with an
//! attachment, reply, the outbox with cancel, drafts.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use tern_testsupport::Testbed;

fn run(profile: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tern"))
        .env("TERN_DATA_DIR", profile)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    c.wait_with_output().unwrap()
}

fn json(profile: &std::path::Path, args: &[&str], stdin: &str) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(profile, &all, stdin);
    assert!(
        out.status.success(),
        "tern {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn send_reply_outbox_and_drafts() {
    let tb = Testbed::start();
    if !tb.has_smtp() {
        return;
    }
    let p = tempfile::tempdir().unwrap();
    let p = p.path();
    let pw = format!("echo {}", tb.password("alice"));
    let (imaps, smtp) = (tb.imaps_port.to_string(), tb.submission_port().to_string());
    json(
        p,
        &[
            "account",
            "add",
            "--email",
            "alice@example.org",
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            &imaps,
            "--username",
            "alice",
            "--ca-file",
            tb.ca_file.to_str().unwrap(),
            "--password-command",
            &pw,
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &smtp,
            "--smtp-security",
            "starttls",
        ],
        "",
    );
    json(p, &["sync"], "");
    let file = p.join("notes ü.txt");
    std::fs::write(&file, "attached bytes\n").unwrap();
    let sent = json(
        p,
        &[
            "send",
            "--from",
            "alice@example.org",
            "--to",
            "Bob <bob@example.org>",
            "--subject",
            "From the CLI ✓",
            "--attach",
            file.to_str().unwrap(),
        ],
        "Hello Bob,\nfrom the command line.\n",
    );
    assert!(sent["state"].is_null(), "{sent}");
    assert!(json(p, &["outbox"], "").as_array().unwrap().is_empty());

    // Undo send: a delayed message cancelled from the outbox becomes a draft.
    let q = json(
        p,
        &[
            "send",
            "--from",
            "1",
            "--to",
            "bob@example.org",
            "--subject",
            "Later",
            "--queue-only",
            "--delay",
            "30",
        ],
        "later",
    );
    let id = q["outbox"].to_string();
    let listed = json(p, &["outbox"], "");
    assert_eq!(listed[0]["state"], "queued");
    let c = json(p, &["outbox", "--cancel", &id], "");
    let draft = c["draft"].to_string();
    let shown = json(p, &["draft", "show", &draft], "");
    assert_eq!(shown["subject"], "Later");
    assert_eq!(json(p, &["draft", "list"], "").as_array().unwrap().len(), 1);

    // Reply to a message in alice's INBOX (the Sent copy's recipients are bob: use INBOX).
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut raw = tb.raw("alice").await;
        raw.append(
            "INBOX",
            &tern_testsupport::message("bob@example.org", "Question", "Well?"),
        )
        .await;
        raw.logout().await;
    });
    json(p, &["sync"], "");
    let list = json(p, &["list", "inbox"], "");
    let qid = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"] == "Question")
        .unwrap()["id"]
        .to_string();
    json(p, &["reply", &qid], "Answer.");
    let found = rt.block_on(async {
        for _ in 0..50 {
            let mut raw = tb.raw("bob").await;
            let ids = {
                raw.select("INBOX").await;
                raw.message_ids().await
            };
            raw.logout().await;
            if ids.len() >= 2 {
                return ids.len();
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        0
    });
    assert_eq!(found, 2, "bob has the first message and the reply");
}
