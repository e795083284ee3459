//! Reply and forward through the testbed: threading headers on the received message and
//! `\Answered` / `$Forwarded` on the original; drafts saved, replaced and deleted in the
//! Drafts folder; a draft written by another client reopened; autocomplete.

use futures::TryStreamExt;
use std::time::Duration;
use tern_engine::message::Address;
use tern_engine::{Draft, Engine, ReplyKind, Security};
use tern_testsupport::{fast_options, message, profile, Testbed};

async fn folder(tb: &Testbed, user: &str, name: &str) -> Vec<(Vec<u8>, Vec<String>)> {
    let mut raw = tb.raw(user).await;
    raw.select(name).await;
    let fetches: Vec<_> = raw
        .session
        .uid_fetch("1:*", "(UID FLAGS BODY.PEEK[])")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    raw.logout().await;
    fetches
        .iter()
        .filter_map(|f| {
            Some((
                f.body()?.to_vec(),
                f.flags().map(|x| format!("{x:?}")).collect(),
            ))
        })
        .collect()
}

async fn wait_for(tb: &Testbed, user: &str, name: &str, subject: &str) -> Vec<u8> {
    for _ in 0..50 {
        for (body, _) in folder(tb, user, name).await {
            let m = mail_parser::MessageParser::default().parse(&body).unwrap();
            if m.subject() == Some(subject) {
                return body;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{subject} did not arrive in {user}'s {name}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_and_forward_thread_and_mark_the_original() {
    let tb = Testbed::start();
    if !tb.has_smtp() {
        return;
    }
    let mut raw = tb.raw("alice").await;
    raw.append(
        "INBOX",
        &message("Bob <bob@example.org>", "Plans", "Shall we meet?\nBob"),
    )
    .await;
    raw.logout().await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let mut cfg = tb.account("alice");
    cfg.smtp = Some(tb.smtp_server("alice", Security::StartTls));
    let id = engine.add_account(&cfg).unwrap();
    engine.sync(id).await.unwrap();
    let inbox = engine.store().find_folder(id, "INBOX").unwrap();
    let original = engine.messages(inbox.id, 0, 10).unwrap()[0].clone();
    let orig_detail = engine.message(original.id).await.unwrap();

    let mut reply = engine
        .reply_draft(original.id, ReplyKind::All)
        .await
        .unwrap();
    assert_eq!(reply.subject, "Re: Plans");
    assert_eq!(reply.to[0].email, "bob@example.org");
    assert!(
        reply.text.contains("wrote:\n> Shall we meet?"),
        "{}",
        reply.text
    );
    reply.text = format!("Yes!{}", reply.text);
    engine.send(&reply, None, Duration::ZERO).unwrap();

    let mut fwd = engine.forward_draft(original.id, false).await.unwrap();
    fwd.to = vec![Address {
        name: String::new(),
        email: "bob@example.org".into(),
    }];
    assert!(fwd.text.contains("Subject: Plans"), "{}", fwd.text);
    engine.send(&fwd, None, Duration::ZERO).unwrap();
    let mut fwd2 = engine.forward_draft(original.id, true).await.unwrap();
    fwd2.subject = "Fwd: Plans (attached)".into();
    fwd2.to = fwd.to.clone();
    engine.send(&fwd2, None, Duration::ZERO).unwrap();
    engine.flush_outbox(id).await.unwrap();
    assert!(
        engine.outbox(Some(id)).unwrap().is_empty(),
        "{:?}",
        engine.outbox(None)
    );

    let got = wait_for(&tb, "bob", "INBOX", "Re: Plans").await;
    let m = mail_parser::MessageParser::default().parse(&got).unwrap();
    assert_eq!(
        m.in_reply_to().as_text(),
        Some(orig_detail.message_id.as_str())
    );
    let refs = m.references();
    let refs: Vec<String> = match refs.as_text_list() {
        Some(v) => v.iter().map(|s| s.to_string()).collect(),
        None => refs
            .as_text()
            .map(|s| vec![s.to_string()])
            .unwrap_or_default(),
    };
    assert_eq!(refs.last(), Some(&orig_detail.message_id));
    assert!(m.body_text(0).unwrap().contains("> Shall we meet?"));
    let f = wait_for(&tb, "bob", "INBOX", "Fwd: Plans").await;
    assert!(String::from_utf8_lossy(&f).contains("Forwarded Message"));
    let f2 = wait_for(&tb, "bob", "INBOX", "Fwd: Plans (attached)").await;
    let p = mail_parser::MessageParser::default().parse(&f2).unwrap();
    let inner = p
        .attachment(0)
        .unwrap()
        .message()
        .expect("message/rfc822 attachment");
    assert_eq!(inner.subject(), Some("Plans"));

    // The flags reach the server through the ordinary write path.
    engine.push_pending(id).await.unwrap();
    let inbox_msgs = folder(&tb, "alice", "INBOX").await;
    let flags = &inbox_msgs
        .iter()
        .find(|(b, _)| String::from_utf8_lossy(b).contains("Subject: Plans"))
        .unwrap()
        .1;
    assert!(flags.iter().any(|f| f == "Answered"), "{flags:?}");
    assert!(flags.iter().any(|f| f.contains("$Forwarded")), "{flags:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_are_saved_replaced_reopened_and_deleted_after_sending() {
    let tb = Testbed::start();
    if !tb.has_smtp() {
        return;
    }
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let mut cfg = tb.account("alice");
    cfg.smtp = Some(tb.smtp_server("alice", Security::Tls));
    let id = engine.add_account(&cfg).unwrap();
    engine.sync(id).await.unwrap();
    let mut d = Draft {
        account: id,
        subject: "Draft v1".into(),
        text: "first".into(),
        bcc: vec![Address {
            name: String::new(),
            email: "alice@example.org".into(),
        }],
        ..Draft::default()
    };
    let did = engine.save_draft(None, &d).unwrap();
    // Rapid saves coalesce locally; the server gets the latest.
    for i in 2..=4 {
        d.subject = format!("Draft v{i}");
        engine.save_draft(Some(did), &d).unwrap();
    }
    engine.flush_outbox(id).await.unwrap();
    let on_server = folder(&tb, "alice", "Drafts").await;
    assert_eq!(on_server.len(), 1, "exactly one copy");
    assert!(String::from_utf8_lossy(&on_server[0].0).contains("Draft v4"));
    assert!(
        on_server[0].1.iter().any(|f| f == "Draft"),
        "{:?}",
        on_server[0].1
    );
    d.subject = "Draft v5".into();
    engine.save_draft(Some(did), &d).unwrap();
    engine.flush_outbox(id).await.unwrap();
    let on_server = folder(&tb, "alice", "Drafts").await;
    assert_eq!(on_server.len(), 1, "editing replaces the copy");
    assert!(String::from_utf8_lossy(&on_server[0].0).contains("Draft v5"));
    assert!(engine.drafts(Some(id)).unwrap()[0].synced);

    // Another client's draft, reopened and continued.
    let mut raw = tb.raw("alice").await;
    raw.append(
        "Drafts",
        &message("alice@example.org", "Theirs", "typed elsewhere"),
    )
    .await;
    raw.logout().await;
    engine.sync(id).await.unwrap();
    let drafts_folder = engine.store().find_folder(id, "Drafts").unwrap();
    let theirs = engine
        .messages(drafts_folder.id, 0, 10)
        .unwrap()
        .into_iter()
        .find(|m| m.subject == "Theirs")
        .unwrap();
    let (tid, mut td) = engine.open_draft(theirs.id).await.unwrap();
    assert_eq!(td.text.trim(), "typed elsewhere");
    td.to = vec![Address {
        name: String::new(),
        email: "bob@example.org".into(),
    }];
    td.text = "finished here".into();
    engine.save_draft(Some(tid), &td).unwrap();
    engine.flush_outbox(id).await.unwrap();
    assert_eq!(folder(&tb, "alice", "Drafts").await.len(), 2);

    // Sending a draft deletes its server copy.
    engine.send(&td, Some(tid), Duration::ZERO).unwrap();
    engine.flush_outbox(id).await.unwrap();
    wait_for(&tb, "bob", "INBOX", "Theirs").await;
    let left = folder(&tb, "alice", "Drafts").await;
    assert_eq!(left.len(), 1, "only Draft v5 is left");
    engine.delete_draft(did).unwrap();
    engine.flush_outbox(id).await.unwrap();
    assert!(folder(&tb, "alice", "Drafts").await.is_empty());
    assert!(engine.drafts(Some(id)).unwrap().is_empty());

    // Autocomplete knows bob now (from the Sent copy) and ranks him.
    engine.sync(id).await.unwrap();
    let s = engine.suggest_addresses("BO", 5).unwrap();
    assert_eq!(s[0].address.email, "bob@example.org", "{s:?}");
}
