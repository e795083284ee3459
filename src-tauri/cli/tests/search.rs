//! `tern search`, `tern list --threads` and `tern thread` against a real Dovecot testbed.

use std::process::{Command, Output};
use tern_testsupport::{message, Testbed};

fn tern(profile: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tern"));
    c.env("TERN_DATA_DIR", profile)
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    c
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "tern failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(out: Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}

fn subjects(v: &serde_json::Value, at: &str) -> Vec<String> {
    let mut s: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.pointer(at).unwrap().as_str().unwrap().to_string())
        .collect();
    s.sort();
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_and_threads_from_the_command_line() {
    let tb = Testbed::start();
    let mut raw = tb.raw("alice").await;
    raw.append(
        "INBOX",
        &message(
            "Bob <bob@example.org>",
            "Invoice 42",
            "Please pay the invoice.",
        ),
    )
    .await;
    raw.append(
        "INBOX",
        &message(
            "Carol <carol@example.org>",
            "Dinner",
            "The café at eight, not the invoice.",
        ),
    )
    .await;
    let reply = "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: Re: Invoice 42\r\n\
Date: Tue, 4 Nov 2025 10:00:00 +0000\r\nMessage-ID: <reply@t>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nPaid.\r\n";
    raw.append("Sent", reply.as_bytes()).await;
    raw.logout().await;

    let profile = tempfile::tempdir().unwrap();
    let p = profile.path();
    ok(tern(p)
        .args(["account", "add", "--email", "alice@example.org"])
        .args([
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            &tb.imaps_port.to_string(),
        ])
        .args(["--imap-security", "tls", "--username", "alice"])
        .args(["--ca-file", tb.ca_file.to_str().unwrap()])
        .args([
            "--password-command",
            &format!("echo {}", tb.password("alice")),
        ])
        .output()
        .unwrap());
    // --bodies caches every body (the offline mode), so the index covers them.
    ok(tern(p).args(["sync", "--bodies"]).output().unwrap());

    let v = json(
        tern(p)
            .args(["--json", "search", "invoice"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        subjects(&v, "/message/subject"),
        ["Dinner", "Invoice 42", "Re: Invoice 42"]
    );
    // Negation reaches the query even though it looks like an option.
    let v = json(
        tern(p)
            .args(["--json", "search", "invoice", "-cafe"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        subjects(&v, "/message/subject"),
        ["Invoice 42", "Re: Invoice 42"]
    );
    let v = json(
        tern(p)
            .args(["--json", "search", "--folder", "sent", "invoice"])
            .output()
            .unwrap(),
    );
    assert_eq!(subjects(&v, "/message/subject"), ["Re: Invoice 42"]);
    let v = json(
        tern(p)
            .args([
                "--json",
                "search",
                "--account",
                "alice@example.org",
                "--limit",
                "1",
                "from:carol",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(subjects(&v, "/message/subject"), ["Dinner"]);
    assert_eq!(v[0]["source"], "local");
    assert!(!v[0]["highlighted_snippet"]
        .as_str()
        .unwrap()
        .contains('\u{2}'));
    let v = json(
        tern(p)
            .args(["--json", "search", "--server", "eight"])
            .output()
            .unwrap(),
    );
    assert_eq!(subjects(&v, "/message/subject"), ["Dinner"]);

    // Text output: markers are dropped when not on a terminal.
    let text = ok(tern(p).args(["search", "pay"]).output().unwrap());
    assert!(
        text.contains("Invoice 42") && text.contains("Please pay the invoice."),
        "{text}"
    );
    assert!(!text.contains('\u{2}'));
    let bad = tern(p).args(["search", "is:nonsense"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is:nonsense"));

    // Conversations: the reply in Sent joins by subject (no references), and counts.
    let v = json(
        tern(p)
            .args(["--json", "list", "--threads"])
            .output()
            .unwrap(),
    );
    assert_eq!(subjects(&v, "/subject"), ["Dinner", "Invoice 42"]);
    let inv = v
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subject"] == "Invoice 42")
        .unwrap();
    assert_eq!(inv["count"], 2);
    let id = inv["id"].as_i64().unwrap().to_string();
    let text = ok(tern(p).args(["list", "--threads"]).output().unwrap());
    assert!(text.contains("Invoice 42 (2)"), "{text}");
    let v = json(tern(p).args(["--json", "thread", &id]).output().unwrap());
    let order: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Invoice 42", "Re: Invoice 42"]);
}
