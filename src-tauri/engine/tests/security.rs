//! Connection security against a scripted server on 127.0.0.1 that records every byte the
//! client sends: STARTTLS that cannot be stripped or fed injected responses (RFC 2595,
//! RFC 3207, RFC 3501 §6.2.1), PREAUTH refused where TLS is required, certificates that do
//! not verify refused with the reason and a fingerprint to trust, a changed pinned
//! certificate refused, and the password never sent in the clear.

use base64::Engine as _;
use std::sync::Arc;
use std::time::Duration;
use tern_engine::credentials::NoStore;
use tern_engine::imap::Timeouts;
use tern_engine::{Account, AccountConfig, Engine, Error, ErrorKind, Security};
use tern_testsupport::scripted::{server, CertKind, Protocol, Script, Scripted, TestCa};
use tern_testsupport::{fast_options, profile};

const PASSWORD: &str = "Sup3r-Secret-pw";

async fn login(config: &AccountConfig) -> Result<(), Error> {
    let dir = profile();
    let engine = Engine::open(dir.path(), Arc::new(NoStore), fast_options()).unwrap();
    engine.test_login(config, PASSWORD).await
}

/// The password as it would travel: plain, or inside AUTHENTICATE PLAIN / AUTH PLAIN.
fn secrets() -> Vec<Vec<u8>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        PASSWORD.as_bytes().to_vec(),
        b64.encode(format!("\0alice\0{PASSWORD}")).into_bytes(),
        b64.encode(PASSWORD).into_bytes(),
    ]
}

fn holds_secret(bytes: &[u8]) -> bool {
    secrets()
        .iter()
        .any(|s| bytes.windows(s.len()).any(|w| w == s.as_slice()))
}

#[tokio::test]
async fn starttls_discards_responses_injected_before_the_handshake() {
    let ca = TestCa::new();
    let mut script = Script::imap_starttls(ca.cert(CertKind::Good));
    // Sent in the clear right behind "OK Begin TLS": were it read as coming over TLS, the
    // client would believe login is disabled and give up. It must be thrown away.
    script.inject = Some("* CAPABILITY IMAP4rev1 LOGINDISABLED\r\nT0 OK done\r\n".into());
    let srv = Scripted::start(Protocol::Imap, script).await;
    login(&ca.account(srv.port, Security::StartTls))
        .await
        .expect("the injected response is not acted on");
    let tls = String::from_utf8_lossy(&srv.tls_bytes()).into_owned();
    assert!(
        tls.starts_with("T0 CAPABILITY"),
        "capabilities are asked again over TLS: {tls}"
    );
    assert!(tls.contains("AUTHENTICATE PLAIN"), "{tls}");
    assert!(holds_secret(&srv.tls_bytes()));
    assert!(!holds_secret(&srv.clear_bytes()));
}

#[tokio::test]
async fn preauth_is_refused_where_tls_is_required() {
    let ca = TestCa::new();
    let mut script = Script::imap_starttls(ca.cert(CertKind::Good));
    script.greeting = "* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] Logged in as alice".into();
    let srv = Scripted::start(Protocol::Imap, script).await;
    let e = login(&ca.account(srv.port, Security::StartTls))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Tls, "{e:?}");
    assert!(e.message.contains("PREAUTH"), "{}", e.message);
    assert!(
        srv.clear_bytes().is_empty(),
        "nothing is sent after PREAUTH"
    );

    // Over implicit TLS it is refused too: Tern logs in itself.
    let mut script = Script::imap_tls(ca.cert(CertKind::Good));
    script.greeting = "* PREAUTH Logged in as alice".into();
    let srv = Scripted::start(Protocol::Imap, script).await;
    let e = login(&ca.account(srv.port, Security::Tls))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Protocol, "{e:?}");
    assert!(!holds_secret(&srv.tls_bytes()));
}

#[tokio::test]
async fn a_missing_starttls_is_an_error_not_a_downgrade() {
    let ca = TestCa::new();
    for greeting in ["* OK ready", "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready"] {
        let mut script = Script::imap_starttls(ca.cert(CertKind::Good));
        script.greeting = greeting.into();
        script.caps_clear = "IMAP4rev1 AUTH=PLAIN".into();
        let srv = Scripted::start(Protocol::Imap, script).await;
        let e = login(&ca.account(srv.port, Security::StartTls))
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Tls, "{e:?}");
        assert!(e.message.contains("STARTTLS"), "{}", e.message);
        let clear = String::from_utf8_lossy(&srv.clear_bytes()).into_owned();
        assert!(!holds_secret(clear.as_bytes()), "{clear}");
        assert!(!clear.contains("LOGIN") && !clear.contains("AUTHENTICATE"));
    }
}

#[tokio::test]
async fn certificates_that_do_not_verify_are_refused_with_the_reason() {
    let ca = TestCa::new();
    let cases = [
        (CertKind::Expired, "has expired"),
        (CertKind::SelfSigned, "not signed by an authority"),
        (CertKind::WrongHost, "different server name"),
    ];
    for (kind, why) in cases {
        for security in [Security::Tls, Security::StartTls] {
            let cert = ca.cert(kind);
            let script = match security {
                Security::Tls => Script::imap_tls(cert.clone()),
                _ => Script::imap_starttls(cert.clone()),
            };
            let srv = Scripted::start(Protocol::Imap, script).await;
            let mut config = ca.account(srv.port, security);
            let e = login(&config).await.unwrap_err();
            assert_eq!(e.kind, ErrorKind::Tls, "{kind:?} {security:?}: {e:?}");
            assert!(e.message.contains(why), "{kind:?}: {}", e.message);
            assert_eq!(e.cert_fingerprint.as_deref(), Some(&*cert.fingerprint()));
            assert!(!holds_secret(&srv.clear_bytes()));
            assert!(
                srv.tls_bytes().is_empty(),
                "no byte goes over a refused TLS"
            );

            // Trusting exactly that certificate, by fingerprint, lets the user in.
            config.trust.pinned_sha256 = vec![cert.fingerprint().to_lowercase()];
            login(&config)
                .await
                .expect("the pinned certificate is accepted");
            assert!(holds_secret(&srv.tls_bytes()));
        }
    }
}

#[tokio::test]
async fn a_changed_pinned_certificate_is_refused() {
    let ca = TestCa::new();
    let trusted = ca.cert(CertKind::SelfSigned);
    let now = ca.cert(CertKind::SelfSigned);
    let srv = Scripted::start(Protocol::Imap, Script::imap_tls(now.clone())).await;
    let mut config = ca.account(srv.port, Security::Tls);
    config.trust.pinned_sha256 = vec![trusted.fingerprint()];
    let e = login(&config).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Tls, "{e:?}");
    assert!(
        e.message.contains("has changed since you trusted it"),
        "{}",
        e.message
    );
    assert!(e.message.contains(&trusted.fingerprint()), "{}", e.message);
    assert!(e.message.contains(&now.fingerprint()), "{}", e.message);
    assert_eq!(e.cert_fingerprint, Some(now.fingerprint()));
    assert!(srv.tls_bytes().is_empty() && srv.clear_bytes().is_empty());

    // A pin adds trust and takes none away: a certificate that chains to a trusted
    // authority for the right name is accepted whatever was pinned before.
    let good = Scripted::start(Protocol::Imap, Script::imap_tls(ca.cert(CertKind::Good))).await;
    config.imap.port = good.port;
    login(&config).await.expect("a verified certificate");
}

#[tokio::test]
async fn the_password_crosses_no_unencrypted_socket_without_consent() {
    let mut script = Script::imap_starttls(TestCa::new().cert(CertKind::Good));
    script.greeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] plain only".into();
    script.caps_clear = "IMAP4rev1 AUTH=PLAIN".into();
    let srv = Scripted::start(Protocol::Imap, script).await;
    let ca = TestCa::new();
    let mut config = ca.account(srv.port, Security::Plain);
    let e = login(&config).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config, "{e:?}");
    assert!(srv.clear_bytes().is_empty(), "not even a connection");
    // With the account's explicit consent (a testbed), plain text is used as asked.
    config.imap.allow_plaintext = true;
    login(&config).await.unwrap();
    assert!(holds_secret(&srv.clear_bytes()));
}

// --- SMTP (RFC 3207, RFC 8314) ------------------------------------------------------------

fn smtp_account(port: u16, security: Security, ca: &TestCa) -> Account {
    let mut config = ca.account(1, Security::Tls);
    config.smtp = Some(server(port, security));
    Account { id: 1, config }
}

async fn submit(account: &Account) -> Result<(), Error> {
    let t = Timeouts {
        connect: Duration::from_secs(5),
        command: Duration::from_secs(5),
        idle: Duration::from_secs(60),
    };
    let raw = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nhello\r\n";
    tern_engine::smtp::submit(
        account,
        PASSWORD,
        &t,
        "alice@example.org",
        &["bob@example.org".to_string()],
        raw,
        || Ok(()),
    )
    .await
    .map_err(|f| f.error)
}

#[tokio::test]
async fn smtp_starttls_discards_injected_replies_and_keeps_the_password_encrypted() {
    let ca = TestCa::new();
    let mut script = Script::smtp_starttls(ca.cert(CertKind::Good));
    script.inject = Some("250-scripted\r\n250 AUTH LOGIN\r\n".into());
    let srv = Scripted::start(Protocol::Smtp, script).await;
    submit(&smtp_account(srv.port, Security::StartTls, &ca))
        .await
        .expect("sent over STARTTLS");
    let tls = String::from_utf8_lossy(&srv.tls_bytes()).into_owned();
    assert!(tls.starts_with("EHLO"), "EHLO again after TLS: {tls}");
    assert!(tls.contains("AUTH PLAIN"), "{tls}");
    assert!(!holds_secret(&srv.clear_bytes()));
}

#[tokio::test]
async fn smtp_without_starttls_or_with_a_bad_certificate_is_refused() {
    let ca = TestCa::new();
    let mut script = Script::smtp_starttls(ca.cert(CertKind::Good));
    script.caps_clear = "AUTH PLAIN LOGIN".into();
    let srv = Scripted::start(Protocol::Smtp, script).await;
    let e = submit(&smtp_account(srv.port, Security::StartTls, &ca))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Tls, "{e:?}");
    let clear = String::from_utf8_lossy(&srv.clear_bytes()).into_owned();
    assert!(
        !clear.contains("AUTH") && !holds_secret(clear.as_bytes()),
        "{clear}"
    );

    let expired = ca.cert(CertKind::Expired);
    let mut script = Script::smtp_starttls(expired.clone());
    script.implicit_tls = true;
    let srv = Scripted::start(Protocol::Smtp, script).await;
    let mut account = smtp_account(srv.port, Security::Tls, &ca);
    let e = submit(&account).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Tls, "{e:?}");
    assert!(e.message.contains("has expired"), "{}", e.message);
    assert_eq!(e.cert_fingerprint, Some(expired.fingerprint()));
    account.config.trust.pinned_sha256 = vec![expired.fingerprint()];
    submit(&account).await.expect("the pinned certificate");
}

#[tokio::test]
async fn endless_lines_before_tls_are_cut_off() {
    let ca = TestCa::new();
    let mut script = Script::smtp_starttls(ca.cert(CertKind::Good));
    script.greeting = format!("220-{}", "x".repeat(100_000));
    let srv = Scripted::start(Protocol::Smtp, script).await;
    let e = submit(&smtp_account(srv.port, Security::StartTls, &ca))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Protocol, "{e:?}");

    let mut script = Script::imap_starttls(ca.cert(CertKind::Good));
    script.greeting = format!("* OK {}", "x".repeat(100_000));
    let srv = Scripted::start(Protocol::Imap, script).await;
    let e = login(&ca.account(srv.port, Security::StartTls))
        .await
        .unwrap_err();
    assert!(e.message.contains("too long"), "{e:?}");
}
