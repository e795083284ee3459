//! Sending through the testbed's Postfix: delivery with headers, parts, attachments and
//! non-ASCII intact; the Sent copy; undo send; offline queueing across a restart, delivered
//! exactly once; permanent failures kept with clear sentences.

use futures::TryStreamExt;
use std::time::Duration;
use tern_engine::message::Address;
use tern_engine::{Content, Draft, DraftAttachment, Engine, OutboxState, Security};
use tern_testsupport::{fast_options, profile, Testbed};

fn addr(email: &str) -> Address {
    Address {
        name: String::new(),
        email: email.into(),
    }
}

async fn setup(tb: &Testbed, security: Security) -> (tempfile::TempDir, Engine, i64) {
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let mut cfg = tb.account("alice");
    cfg.smtp = Some(tb.smtp_server("alice", security));
    let id = engine.add_account(&cfg).unwrap();
    engine.sync(id).await.unwrap();
    (dir, engine, id)
}

/// Raw messages of `user`'s `folder` whose Subject contains `subject`, waiting up to 10 s
/// for at least `want`.
async fn fetch(
    tb: &Testbed,
    user: &str,
    folder: &str,
    subject: &str,
    want: usize,
) -> Vec<(Vec<u8>, Vec<String>)> {
    let mut out = Vec::new();
    for _ in 0..50 {
        let mut raw = tb.raw(user).await;
        raw.select(folder).await;
        let fetches: Vec<_> = raw
            .session
            .uid_fetch("1:*", "(UID FLAGS BODY.PEEK[])")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        out = fetches
            .iter()
            .filter_map(|f| {
                let body = f.body()?.to_vec();
                let m = mail_parser::MessageParser::default().parse(&body)?;
                m.subject()?.contains(subject).then(|| {
                    let flags = f.flags().map(|fl| format!("{fl:?}")).collect();
                    (body, flags)
                })
            })
            .collect();
        raw.logout().await;
        if out.len() >= want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    out
}

fn draft(account: i64, subject: &str) -> Draft {
    Draft {
        account,
        to: vec![Address {
            name: "Bøb Bäcker".into(),
            email: "bob@example.org".into(),
        }],
        subject: subject.into(),
        text: "Grüße aus Köln!\nZweite Zeile — mit Gedankenstrich.".into(),
        ..Draft::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_to_bob_with_everything_intact_and_keeps_a_copy_in_sent() {
    let tb = Testbed::start();
    if !tb.has_smtp() {
        eprintln!("skipped: the testbed has no SMTP");
        return;
    }
    let (_dir, engine, id) = setup(&tb, Security::StartTls).await;
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let mut d = draft(id, "Grüße ☕ with attachment");
    d.html = Some("<p><b>Grüße</b> aus Köln!</p>".into());
    d.bcc = vec![addr("alice@example.org")];
    d.attachments = vec![DraftAttachment {
        filename: "Übersicht.bin".into(),
        mime: "application/octet-stream".into(),
        content: Content::Bytes(bytes.clone()),
    }];
    let out = engine.send(&d, None, Duration::ZERO).unwrap();
    assert_eq!(engine.outbox(Some(id)).unwrap()[0].id, out);
    engine.flush_outbox(id).await.unwrap();
    assert!(
        engine.outbox(Some(id)).unwrap().is_empty(),
        "{:?}",
        engine.outbox(None)
    );

    let got = fetch(&tb, "bob", "INBOX", "with attachment", 1).await;
    assert_eq!(got.len(), 1);
    let m = mail_parser::MessageParser::default()
        .parse(&got[0].0)
        .unwrap();
    assert_eq!(m.subject(), Some("Grüße ☕ with attachment"));
    assert_eq!(
        m.from().unwrap().first().unwrap().address(),
        Some("alice@example.org")
    );
    assert_eq!(m.to().unwrap().first().unwrap().name(), Some("Bøb Bäcker"));
    assert!(m.bcc().is_none(), "Bcc must not reach recipients");
    assert!(!String::from_utf8_lossy(&got[0].0)
        .to_lowercase()
        .contains("\nbcc:"));
    assert!(m.message_id().unwrap().ends_with("@example.org"));
    assert!(m.date().is_some());
    assert!(
        m.body_text(0)
            .unwrap()
            .contains("Grüße aus Köln!\r\nZweite Zeile — mit Gedankenstrich.")
            || m.body_text(0)
                .unwrap()
                .contains("Grüße aus Köln!\nZweite Zeile — mit Gedankenstrich.")
    );
    assert!(m.body_html(0).unwrap().contains("<b>Grüße</b>"));
    let att = m.attachment(0).unwrap();
    use mail_parser::MimeHeaders;
    assert_eq!(att.attachment_name(), Some("Übersicht.bin"));
    assert_eq!(att.contents(), bytes.as_slice());

    // Bcc delivered through the envelope only.
    assert_eq!(
        fetch(&tb, "alice", "INBOX", "with attachment", 1)
            .await
            .len(),
        1
    );
    // The Sent copy: the same message, seen.
    let sent = fetch(&tb, "alice", "Sent", "with attachment", 1).await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].1.iter().any(|f| f == "Seen"), "{:?}", sent[0].1);
    let s = mail_parser::MessageParser::default()
        .parse(&sent[0].0)
        .unwrap();
    assert_eq!(s.message_id(), m.message_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_within_the_delay_sends_nothing_and_gives_the_draft_back() {
    let tb = Testbed::start();
    if !tb.has_smtp() {
        return;
    }
    let (_dir, engine, id) = setup(&tb, Security::Tls).await;
    engine.start(id).unwrap();
    let out = engine
        .send(&draft(id, "Undo me"), None, Duration::from_secs(3))
        .unwrap();
    let draft_id = engine.cancel_send(out).unwrap();
    assert!(engine.outbox(Some(id)).unwrap().is_empty());
    assert_eq!(engine.draft(draft_id).unwrap().subject, "Undo me");
    // A second message with the same delay does go: the task was not stuck.
    engine
        .send(&draft(id, "Send me"), None, Duration::from_secs(1))
        .unwrap();
    assert_eq!(fetch(&tb, "bob", "INBOX", "Send me", 1).await.len(), 1);
    assert!(fetch(&tb, "bob", "INBOX", "Undo me", 1).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_send_survives_a_restart_and_is_delivered_once() {
    let tb = Testbed::start();
    if !tb.has_smtp() {
        return;
    }
    let dir = profile();
    {
        let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
        let mut cfg = tb.account("alice");
        cfg.smtp = Some(tb.smtp_server("alice", Security::StartTls));
        let id = engine.add_account(&cfg).unwrap();
        engine.sync(id).await.unwrap();
        tb.stop_server();
        engine
            .send(&draft(id, "Offline hello"), None, Duration::ZERO)
            .unwrap();
        engine.flush_outbox(id).await.unwrap();
        let items = engine.outbox(Some(id)).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].state, OutboxState::Queued);
        assert!(items[0].attempts >= 1);
        assert!(items[0].error.is_some());
    }
    tb.restart();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let id = engine.accounts().unwrap()[0].id;
    engine.start(id).unwrap();
    for _ in 0..100 {
        if engine.outbox(Some(id)).unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        engine.outbox(Some(id)).unwrap().is_empty(),
        "{:?}",
        engine.outbox(None)
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        fetch(&tb, "bob", "INBOX", "Offline hello", 1).await.len(),
        1
    );
    assert_eq!(
        fetch(&tb, "alice", "Sent", "Offline hello", 1).await.len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_kept_with_clear_sentences() {
    let tb = Testbed::start();
    if !tb.has_smtp() {
        return;
    }
    let (_dir, engine, id) = setup(&tb, Security::StartTls).await;
    let mut unknown = draft(id, "To nobody");
    unknown.to.push(addr("nobody@example.org"));
    let a = engine.send(&unknown, None, Duration::ZERO).unwrap();
    let mut elsewhere = draft(id, "Relay");
    elsewhere.to = vec![addr("someone@elsewhere.test")];
    let b = engine.send(&elsewhere, None, Duration::ZERO).unwrap();
    let mut big = draft(id, "Too big");
    big.attachments = vec![DraftAttachment {
        filename: "big.bin".into(),
        mime: String::new(),
        content: Content::Bytes(vec![b'x'; 11 * 1024 * 1024]),
    }];
    let c = engine.send(&big, None, Duration::ZERO).unwrap();
    engine.flush_outbox(id).await.unwrap();
    let items = engine.outbox(Some(id)).unwrap();
    let by = |i| items.iter().find(|x| x.id == i).unwrap().clone();
    for (i, needle) in [
        (a, "nobody@example.org"),
        (b, "someone@elsewhere.test"),
        (c, "too large"),
    ] {
        let item = by(i);
        assert_eq!(item.state, OutboxState::Failed, "{item:?}");
        let msg = item.error.unwrap().message;
        assert!(msg.contains(needle), "{needle}: {msg}");
    }
    // Nothing of these reached bob.
    assert!(fetch(&tb, "bob", "INBOX", "To nobody", 1).await.is_empty());
    // Cancelling a failed message makes it a draft again.
    let d = engine.cancel_send(a).unwrap();
    assert_eq!(engine.draft(d).unwrap().subject, "To nobody");

    // A wrong password: an auth failure, kept.
    let mut creds = tb.credentials();
    std::sync::Arc::get_mut(&mut creds)
        .unwrap()
        .0
        .insert("alice@example.org".into(), "wrong".into());
    let dir2 = profile();
    let engine2 = Engine::open(dir2.path(), creds, fast_options()).unwrap();
    let mut cfg = tb.account("alice");
    cfg.smtp = Some(tb.smtp_server("alice", Security::Tls));
    let id2 = engine2.add_account(&cfg).unwrap();
    let x = engine2
        .send(&draft(id2, "Bad login"), None, Duration::ZERO)
        .unwrap();
    engine2.flush_outbox(id2).await.unwrap();
    let item = engine2
        .outbox(Some(id2))
        .unwrap()
        .into_iter()
        .find(|i| i.id == x)
        .unwrap();
    assert_eq!(item.state, OutboxState::Failed);
    let e = item.error.unwrap();
    assert_eq!(e.kind, tern_engine::ErrorKind::Auth, "{e:?}");
}
