//! A server that sends what makes async-imap's parser (imap-proto 0.17.0) panic costs the
//! account one connection, not its worker: the error is reported and the worker reconnects.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tern_engine::{Engine, ErrorKind, Event, Security};
use tern_testsupport::scripted::{CertKind, Protocol, Script, Scripted, TestCa};
use tern_testsupport::{fast_options, profile, Passwords};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_that_panics_the_parser_costs_a_connection_not_the_worker() {
    let ca = TestCa::new();
    let mut script = Script::imap_tls(ca.cert(CertKind::Good));
    // Found by the server_response fuzz target: text after a response code that starts
    // with a non-ASCII character, in reply to the first command of an account's first
    // sync (SELECT INBOX).
    script.overrides = vec![(
        "SELECT".into(),
        "{tag} OK [READ-WRITE]\u{e9}t\u{e9}\r\n".into(),
    )];
    let srv = Scripted::start(Protocol::Imap, script).await;
    let config = ca.account(srv.port, Security::Tls);
    let creds = Arc::new(Passwords(HashMap::from([(
        "alice@example.org".to_string(),
        "pw".to_string(),
    )])));
    let dir = profile();
    let engine = Engine::open(dir.path(), creds, fast_options()).unwrap();
    let id = engine.add_account(&config).unwrap();
    let mut events = engine.events();
    engine.start(id).unwrap();
    let reported = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Some(Event::AccountError { error, .. }) = events.recv().await {
                break error;
            }
        }
    })
    .await
    .expect("the failure is reported");
    assert_eq!(reported.kind, ErrorKind::Protocol, "{reported:?}");
    assert!(
        reported.message.contains("could not read"),
        "{}",
        reported.message
    );
    // The worker lives on and reconnects with backoff.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while srv.accepted() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker keeps reconnecting ({} connections)",
            srv.accepted()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(engine.stop(id), "the worker was still running");
}
