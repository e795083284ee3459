//! Several accounts side by side, and the LOGIN fallback when AUTHENTICATE PLAIN is absent.

use tern_engine::{Engine, Role, Security};
use tern_testsupport::proxy::{Fault, Proxy};
use tern_testsupport::{fast_options, profile, Testbed};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_sync_side_by_side() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 30);
    tb.seed("bob", "INBOX", 20);
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let a = engine.add_account(&tb.account("alice")).unwrap();
    let b = engine
        .add_account(&tb.account_via("bob", Security::StartTls, "127.0.0.1", tb.imap_port))
        .unwrap();
    engine.sync(a).await.unwrap();
    engine.sync(b).await.unwrap();

    let inboxes = engine.inbox_folders().unwrap();
    assert_eq!(inboxes.len(), 2, "one INBOX per account");
    assert_eq!(engine.store().count(&inboxes).unwrap(), 50);
    let unified = engine.store().list_many(&inboxes, 0, 100).unwrap();
    assert_eq!(unified.len(), 50);
    assert!(unified
        .windows(2)
        .all(|w| w[0].date >= w[1].date || w[0].folder_id != w[1].folder_id));
    for (account, n) in [(a, 30), (b, 20)] {
        let inbox = engine
            .folders(account)
            .unwrap()
            .into_iter()
            .find(|f| f.role == Role::Inbox)
            .unwrap();
        assert_eq!((inbox.account_id, inbox.total), (account, n));
    }

    engine.remove_account(a).unwrap();
    assert_eq!(
        engine.inbox_folders().unwrap().len(),
        1,
        "removing an account removes its cache"
    );
    assert_eq!(engine.accounts().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_is_used_when_authenticate_plain_is_not_offered() {
    let tb = Testbed::start();
    tb.seed("alice", "INBOX", 5);
    let hide = Fault::HideCapabilities(vec!["AUTH=PLAIN".into(), "SASL-IR".into()]);
    let proxy = Proxy::start(tb.imap_port, vec![hide.clone(), hide]).await;
    let dir = profile();
    let engine = Engine::open(dir.path(), tb.credentials(), fast_options()).unwrap();
    let config = tb.account_via("alice", Security::Plain, "127.0.0.1", proxy.port);
    engine
        .test_login(&config, &tb.password("alice"))
        .await
        .unwrap();
    let id = engine.add_account(&config).unwrap();
    assert_eq!(engine.sync(id).await.unwrap().added, 5);
}
