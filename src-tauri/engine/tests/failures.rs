//! Bad things a real network does: wrong passwords, unreachable hosts, untrusted
//! certificates, connections dropped mid-FETCH, stalls and garbled replies. Each gives a
//! clear error of the right kind and loses nothing.

use std::time::Duration;
use tern_engine::{Engine, ErrorKind, Event, Security, SyncOptions, Trust};
use tern_testsupport::proxy::{Fault, Proxy};
use tern_testsupport::{fast_options, profile, Testbed};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_an_auth_error() {
    let tb = Testbed::start();
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let e = engine
        .test_login(&tb.account("alice"), "not-the-password")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth, "{e}");
    assert!(e.message.contains("rejected"), "{e}");
    assert!(
        !e.message.contains("not-the-password"),
        "the password never appears in errors"
    );
    engine
        .test_login(&tb.account("alice"), &tb.password("alice"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_with_a_bad_password_does_not_retry_in_a_storm() {
    let tb = Testbed::start();
    let proxy = Proxy::start(tb.imap_port, vec![]).await;
    let dir = profile();
    let creds = std::sync::Arc::new(tern_testsupport::Passwords(
        [("alice@example.org".to_string(), "wrong".to_string())]
            .into_iter()
            .collect(),
    ));
    let engine = Engine::open(dir.path(), creds, fast_options()).unwrap();
    let id = engine
        .add_account(&tb.account_via("alice", Security::StartTls, "127.0.0.1", proxy.port))
        .unwrap();
    let mut events = engine.events();
    engine.start(id).unwrap();
    let e = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(Event::AccountError { error, .. }) = events.recv().await {
                return error;
            }
        }
    })
    .await
    .expect("an account error is reported");
    assert_eq!(e.kind, ErrorKind::Auth);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        proxy.accepted(),
        1,
        "one failed login, then the worker waits for the user"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_host_is_a_network_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let tb = Testbed::start();
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let e = engine
        .test_login(
            &tb.account_via("alice", Security::Tls, "127.0.0.1", port),
            "x",
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network, "{e}");
    assert!(e.message.contains(&format!("127.0.0.1:{port}")), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate_is_refused_until_pinned() {
    let tb = Testbed::start();
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let mut config = tb.account("alice");
    config.trust = Trust::default();
    let e = engine
        .test_login(&config, &tb.password("alice"))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Tls, "{e}");
    let fp = e
        .cert_fingerprint
        .clone()
        .expect("the fingerprint is offered to the user");
    assert_eq!(fp.len(), 95);

    // STARTTLS is held to the same rule.
    let mut st = tb.account_via("alice", Security::StartTls, "127.0.0.1", tb.imap_port);
    st.trust = Trust::default();
    assert_eq!(
        engine
            .test_login(&st, &tb.password("alice"))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Tls
    );

    // Trusting that exact certificate explicitly lets the user in; another pin does not.
    config.trust.pinned_sha256 = vec![fp.to_lowercase()];
    engine
        .test_login(&config, &tb.password("alice"))
        .await
        .unwrap();
    config.trust.pinned_sha256 = vec!["00".repeat(32)];
    assert_eq!(
        engine
            .test_login(&config, &tb.password("alice"))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Tls
    );
    // The host name is checked too: the testbed certificate is for localhost/127.0.0.1.
    let wrong_host = tb.account_via("alice", Security::Tls, "127.0.0.2", tb.imaps_port);
    let e = engine
        .test_login(&wrong_host, &tb.password("alice"))
        .await
        .unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Tls | ErrorKind::Network), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_text_needs_explicit_consent_and_starttls_works() {
    let tb = Testbed::start();
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let mut plain = tb.account_via("alice", Security::Plain, "127.0.0.1", tb.imap_port);
    plain.imap.allow_plaintext = false;
    assert_eq!(
        engine
            .test_login(&plain, &tb.password("alice"))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Config
    );
    plain.imap.allow_plaintext = true;
    engine
        .test_login(&plain, &tb.password("alice"))
        .await
        .unwrap();
    let st = tb.account_via("alice", Security::StartTls, "127.0.0.1", tb.imap_port);
    engine.test_login(&st, &tb.password("alice")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_missing_is_an_error_not_a_downgrade() {
    let tb = Testbed::start();
    let proxy = Proxy::start(
        tb.imap_port,
        vec![Fault::HideCapabilities(vec!["STARTTLS".into()])],
    )
    .await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let st = tb.account_via("alice", Security::StartTls, "127.0.0.1", proxy.port);
    let e = engine
        .test_login(&st, &tb.password("alice"))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Tls, "{e}");
}

fn small_chunks() -> tern_engine::EngineOptions {
    let mut o = fast_options();
    o.sync = SyncOptions {
        first_chunk: 50,
        chunk: 150,
        prefetch_newest: 0,
        ..SyncOptions::default()
    };
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connection_mid_fetch_resumes_without_loss_or_duplicates() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 1000);
    // Pass the first bytes (login, LIST, STATUS, SELECT, SEARCH and a few chunks), then cut.
    let proxy = Proxy::start(tb.imap_port, vec![Fault::CutAfter(400_000)]).await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), small_chunks()).unwrap();
    let id = engine
        .add_account(&tb.account_via("alice", Security::Plain, "127.0.0.1", proxy.port))
        .unwrap();
    let e = engine.sync(id).await.unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Network | ErrorKind::Protocol),
        "{e:?}"
    );
    let inbox = engine.store().find_folder(id, "INBOX").unwrap();
    let partial = engine.store().uids(inbox.id).unwrap().len();
    assert!(
        partial > 0 && partial < 1000,
        "some chunks were committed before the cut: {partial}"
    );
    assert_eq!(inbox.total as usize, partial, "counts match the rows");

    let r = engine.sync(id).await.unwrap();
    assert_eq!(
        r.added as usize,
        1000 - partial,
        "only the missing messages are fetched"
    );
    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    let server: Vec<u32> = raw.flags().await.into_keys().collect();
    assert_eq!(
        engine.store().uids(inbox.id).unwrap(),
        server,
        "same UIDs, none twice"
    );
    assert_eq!(engine.store().find_folder(id, "INBOX").unwrap().total, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_times_out() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 300);
    let proxy = Proxy::start(tb.imap_port, vec![Fault::StallAfter(50_000)]).await;
    let dir = profile();
    let mut o = small_chunks();
    o.timeouts.command = Duration::from_secs(2);
    let engine = Engine::open(dir.path(), tb.credentials(), o).unwrap();
    let id = engine
        .add_account(&tb.account_via("alice", Security::Plain, "127.0.0.1", proxy.port))
        .unwrap();
    let started = std::time::Instant::now();
    let e = engine.sync(id).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(15));
    engine.sync(id).await.unwrap();
    assert_eq!(engine.store().find_folder(id, "INBOX").unwrap().total, 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbled_reply_fails_cleanly() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 300);
    let proxy = Proxy::start(tb.imap_port, vec![Fault::GarbleAfter(60_000)]).await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), small_chunks()).unwrap();
    let id = engine
        .add_account(&tb.account_via("alice", Security::Plain, "127.0.0.1", proxy.port))
        .unwrap();
    let e = engine.sync(id).await.unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Protocol | ErrorKind::Network),
        "{e:?}"
    );
    engine.sync(id).await.unwrap();
    let mut raw = tb.raw("alice").await;
    raw.select("INBOX").await;
    let server: Vec<u32> = raw.flags().await.into_keys().collect();
    let inbox = engine.store().find_folder(id, "INBOX").unwrap();
    assert_eq!(engine.store().uids(inbox.id).unwrap(), server);
}
