//! The engine's logs hold neither credentials nor message bodies: every `tracing` event at
//! every level is captured while an account is set up, synced with bodies, a message is
//! opened, and a worker with a wrong password fails to log in.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tern_engine::{Engine, ErrorKind};
use tern_testsupport::{fast_options, message, profile, Passwords, Testbed};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const PASSWORD: &str = "Lg5-secret-Vw8";
const WRONG: &str = "Wr0ng-guess-Q4";
const BODY: &str = "BODYMARKER-5523 the merger terms";

/// Every event, with its fields, as text.
fn captured() -> &'static Mutex<String> {
    static LOG: OnceLock<Mutex<String>> = OnceLock::new();
    LOG.get_or_init(Mutex::default)
}

struct Capture;

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut s = captured().lock().unwrap();
        span.record(&mut Fields(&mut s));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut captured().lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut s = captured().lock().unwrap();
        let _ = write!(
            s,
            "{} {}:",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Fields(&mut s));
        s.push('\n');
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_password_and_no_body() {
    tracing::subscriber::set_global_default(Capture).expect("the only subscriber");
    let tb = Testbed::start_with(&["--users", &format!("alice:{PASSWORD},bob")]);
    tb.seed("alice", "INBOX", 5);
    let mut raw = tb.raw("alice").await;
    raw.append(
        "INBOX",
        &message("Quinn <quinn@example.org>", "Terms", BODY),
    )
    .await;

    let creds = Arc::new(Passwords(HashMap::from([
        ("alice@example.org".to_string(), PASSWORD.to_string()),
        ("bob@example.org".to_string(), WRONG.to_string()),
    ])));
    let dir = profile();
    let engine = Engine::open(dir.path(), creds, fast_options()).unwrap();
    engine
        .test_login(&tb.account("alice"), PASSWORD)
        .await
        .unwrap();
    let alice = engine.add_account(&tb.account("alice")).unwrap();
    engine.sync(alice).await.unwrap();
    let inbox = engine.store().find_folder(alice, "INBOX").unwrap();
    for m in engine.messages(inbox.id, 0, 10).unwrap() {
        engine.message(m.id).await.unwrap();
    }

    // A failed login, by hand and by a worker that then waits for the user.
    let e = engine
        .test_login(&tb.account("bob"), WRONG)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    let bob = engine.add_account(&tb.account("bob")).unwrap();
    engine.start(bob).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !captured().lock().unwrap().contains("rejected") {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker logged its failure"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    engine.stop(bob);

    let log = captured().lock().unwrap().clone();
    let b64 = |s: String| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    };
    for secret in [
        PASSWORD.to_string(),
        WRONG.to_string(),
        b64(format!("\0alice\0{PASSWORD}")),
        b64(format!("\0bob\0{WRONG}")),
        "BODYMARKER".to_string(),
        "merger terms".to_string(),
    ] {
        assert!(!log.contains(&secret), "{secret} in the log:\n{log}");
    }
}
