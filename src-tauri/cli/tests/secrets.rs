//! Credentials never leak: after account setup, a sync with bodies and a failed login, the
//! password (and the wrong one tried) is in no file of the profile (SQLite, WAL, anything),
//! not on stdout or stderr, and not in the IMAP protocol trace, which redacts LOGIN and
//! AUTHENTICATE and shows literals (message bodies) only as their size. The password lives
//! in a real Secret Service keyring on a private D-Bus.

use base64::Engine as _;
use std::io::Write;
use std::process::{Command, Stdio};
use tern_testsupport::{message, Testbed};

const PASSWORD: &str = "Zq7-secret-Kx3";
const WRONG: &str = "Wr0ng-guess-P9";
const BODY: &str = "BODY-MARKER-7781 the quarterly numbers";

fn needles() -> Vec<(String, Vec<u8>)> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut v = Vec::new();
    for (user, pw) in [("alice", PASSWORD), ("bob", WRONG)] {
        v.push((format!("{user}'s password"), pw.as_bytes().to_vec()));
        v.push((
            format!("{user}'s AUTHENTICATE PLAIN"),
            b64.encode(format!("\0{user}\0{pw}")).into_bytes(),
        ));
    }
    v
}

fn leaks(bytes: &[u8]) -> Vec<String> {
    needles()
        .into_iter()
        .filter(|(_, n)| bytes.windows(n.len()).any(|w| w == n.as_slice()))
        .map(|(what, _)| what)
        .collect()
}

#[test]
fn no_password_in_the_profile_the_output_or_the_trace() {
    let tb = Testbed::start_with(&["--users", &format!("alice:{PASSWORD},bob")]);
    tb.seed("alice", "INBOX", 5);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut raw = tb.raw("alice").await;
        raw.append(
            "INBOX",
            &message("Quinn <quinn@example.org>", "Numbers", BODY),
        )
        .await;
    });
    let profile = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let trace = home.path().join("imap-trace.log");
    let bin = env!("CARGO_BIN_EXE_tern");
    let add = |user: &str| {
        format!(
            "{bin} account add --email {user}@example.org --imap-host 127.0.0.1 --imap-port {port} \
             --username {user} --ca-file {ca} --password-stdin",
            port = tb.imaps_port,
            ca = tb.ca_file.display()
        )
    };
    // Setup, a sync with every body, then a failed login (a wrong password for bob).
    let script = format!(
        "printf keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 90
         read -r pw; read -r wrong
         printf '%s\\n' \"$pw\" | {alice} || exit 91
         {bin} sync --bodies || exit 92
         printf '%s\\n' \"$wrong\" | {bob} && exit 93
         exit 0",
        alice = add("alice"),
        bob = add("bob"),
    );
    let mut child = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env("HOME", home.path())
        .env("TERN_DATA_DIR", profile.path())
        .env("TERN_IMAP_TRACE", &trace)
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dbus-run-session (Debian's dbus package) is needed");
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}\n{WRONG}").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}\n{stdout}");
    assert!(stdout.contains("6 new"), "{stdout}");
    assert!(
        stderr.contains("auth error"),
        "the failed login is reported: {stderr}"
    );

    assert_eq!(leaks(&out.stdout), Vec::<String>::new(), "stdout: {stdout}");
    assert_eq!(leaks(&out.stderr), Vec::<String>::new(), "stderr: {stderr}");
    for needle in [BODY, "quarterly"] {
        assert!(!stderr.contains(needle), "a body on stderr: {stderr}");
    }
    let files = walk(profile.path());
    assert!(
        files.iter().any(|f| f.ends_with(tern_engine::CACHE_FILE)),
        "{files:?}"
    );
    for f in &files {
        let found = leaks(&std::fs::read(f).unwrap());
        assert!(found.is_empty(), "{found:?} in {}", f.display());
    }

    let log = std::fs::read_to_string(&trace).expect("the trace was written");
    assert_eq!(leaks(log.as_bytes()), Vec::<String>::new(), "trace:\n{log}");
    assert!(
        log.contains("AUTHENTICATE PLAIN <redacted>") || log.contains("LOGIN <redacted>"),
        "{log}"
    );
    assert!(log.contains("S: <literal"), "bodies appear as sizes: {log}");
    assert!(!log.contains("BODY-MARKER"), "no message body in the trace");
    assert!(log.contains("NO"), "the refused login is traced: {log}");
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
