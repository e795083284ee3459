//! The `tern` command line against a real Dovecot testbed.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
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

fn add_alice(tb: &Testbed, profile: &std::path::Path) {
    ok(tern(profile)
        .args([
            "account",
            "add",
            "--email",
            "alice@example.org",
            "--name",
            "Alice",
            "--imap-host",
            "127.0.0.1",
        ])
        .args([
            "--imap-port",
            &tb.imaps_port.to_string(),
            "--imap-security",
            "tls",
            "--username",
            "alice",
        ])
        .args([
            "--ca-file",
            tb.ca_file.to_str().unwrap(),
            "--password-command",
            &format!("echo {}", tb.password("alice")),
        ])
        .output()
        .unwrap());
}

#[test]
fn add_sync_folders_list_show_remove() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 120);
    let profile = tempfile::tempdir().unwrap();
    add_alice(&tb, profile.path());

    let accounts: serde_json::Value = serde_json::from_str(&ok(tern(profile.path())
        .args(["--json", "account", "list"])
        .output()
        .unwrap()))
    .unwrap();
    assert_eq!(accounts[0]["email"], "alice@example.org");

    let summary = ok(tern(profile.path()).arg("sync").output().unwrap());
    assert!(summary.contains("120 new"), "{summary}");

    let folders: serde_json::Value = serde_json::from_str(&ok(tern(profile.path())
        .args(["folders", "--json"])
        .output()
        .unwrap()))
    .unwrap();
    let inbox = folders[0]["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["role"] == "inbox")
        .unwrap()
        .clone();
    assert_eq!(inbox["total"], 120);
    let text = ok(tern(profile.path()).arg("folders").output().unwrap());
    assert!(
        text.contains("INBOX [inbox]") && text.contains("Trash [trash]"),
        "{text}"
    );

    let page: serde_json::Value = serde_json::from_str(&ok(tern(profile.path())
        .args(["list", "inbox", "--limit", "10", "--offset", "5", "--json"])
        .output()
        .unwrap()))
    .unwrap();
    let page = page.as_array().unwrap();
    assert_eq!(page.len(), 10);
    let id = page[0]["id"].as_i64().unwrap();
    let subject = page[0]["subject"].as_str().unwrap().to_string();

    let shown = ok(tern(profile.path())
        .args(["show", &id.to_string()])
        .output()
        .unwrap());
    assert!(shown.contains(&format!("Subject: {subject}")), "{shown}");
    assert!(shown.lines().count() > 6, "the body is printed: {shown}");

    let gone = tern(profile.path())
        .args(["show", "999999"])
        .output()
        .unwrap();
    assert!(!gone.status.success());
    assert!(String::from_utf8_lossy(&gone.stderr).contains("not-found"));

    ok(tern(profile.path())
        .args(["account", "remove", "alice@example.org"])
        .output()
        .unwrap());
    let list = ok(tern(profile.path())
        .args(["account", "list"])
        .output()
        .unwrap());
    assert!(list.contains("No accounts"));
}

#[test]
fn wrong_password_fails_with_a_sentence() {
    let tb = Testbed::start();
    let profile = tempfile::tempdir().unwrap();
    let out = tern(profile.path())
        .args([
            "account",
            "add",
            "--email",
            "alice@example.org",
            "--imap-host",
            "127.0.0.1",
        ])
        .args([
            "--imap-port",
            &tb.imaps_port.to_string(),
            "--username",
            "alice",
        ])
        .args([
            "--ca-file",
            tb.ca_file.to_str().unwrap(),
            "--password-command",
            "echo wrong-password",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("auth error") && err.contains("rejected"),
        "{err}"
    );
    assert!(!err.contains("wrong-password"));
    let list = ok(tern(profile.path())
        .args(["account", "list"])
        .output()
        .unwrap());
    assert!(list.contains("No accounts"), "a failed test saves nothing");
}

#[test]
fn watch_prints_new_mail() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 20);
    let profile = tempfile::tempdir().unwrap();
    add_alice(&tb, profile.path());
    let mut child = tern(profile.path())
        .args(["watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Let it sync and enter IDLE, then deliver mail as another client would.
    std::thread::sleep(Duration::from_secs(3));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut raw = tb.raw("alice").await;
        raw.append(
            "INBOX",
            &message("Quinn <quinn@example.org>", "Watched arrival", "hi"),
        )
        .await;
    });
    let line = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("watch printed the new message");
    child.kill().unwrap();
    let _ = child.wait();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["event"], "new-mail");
    assert_eq!(v["message"]["subject"], "Watched arrival");
    assert_eq!(v["message"]["from"]["email"], "quinn@example.org");
}

/// The password typed on stdin goes to the OS keyring (a real Secret Service on a private
/// D-Bus) and nowhere in the profile.
#[test]
fn password_from_stdin_lives_only_in_the_keyring() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 5);
    let profile = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_tern");
    let script = format!(
        "printf keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 && \
         read -r pw && printf '%s\\n' \"$pw\" | {bin} account add --email alice@example.org --imap-host 127.0.0.1 \
           --imap-port {port} --username alice --ca-file {ca} --password-stdin && {bin} sync && {bin} account remove 1",
        port = tb.imaps_port,
        ca = tb.ca_file.display()
    );
    let mut child = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env("HOME", home.path())
        .env("TERN_DATA_DIR", profile.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dbus-run-session (Debian's dbus package) is needed");
    let password = tb.password("alice");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("5 new"), "{stdout}");
    for entry in walk(profile.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !contains(&bytes, password.as_bytes()),
            "password found in {}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
