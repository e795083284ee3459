//! Checks that the engine's cache shows what the server has, as a second client sees it.

use crate::raw::RawClient;
use std::collections::BTreeMap;
use std::time::Duration;
use tern_engine::message::flags;
use tern_engine::Engine;

/// The cache's view of a folder in the raw client's shape: UID -> sorted flag names.
/// Provisional rows (UID not known yet) are not included.
pub fn cached_flags(engine: &Engine, folder: i64) -> BTreeMap<u32, Vec<String>> {
    engine
        .store()
        .flag_map(folder)
        .unwrap()
        .into_iter()
        .map(|(uid, (bits, kw))| {
            let mut names: Vec<String> =
                flags::names(bits).into_iter().map(str::to_string).collect();
            names.extend(kw.split_whitespace().map(str::to_string));
            names.sort();
            (uid, names)
        })
        .collect()
}

/// Asserts that the cache holds exactly the server's messages of `folder` (UIDs and
/// flags, nothing provisional left) and counts them right.
pub async fn assert_mirrors(engine: &Engine, account: i64, raw: &mut RawClient, folder: &str) {
    let mailbox = raw.select(folder).await;
    let server = raw.flags().await;
    let f = engine.store().find_folder(account, folder).unwrap();
    let cache = cached_flags(engine, f.id);
    assert_eq!(cache, server, "UIDs and flags of {folder}");
    assert_eq!(f.total, mailbox.exists, "stored total of {folder}");
    let listed = engine.messages(f.id, 0, 100_000).unwrap();
    assert_eq!(listed.len() as u32, mailbox.exists, "rows of {folder}");
    assert!(
        listed.iter().all(|m| m.uid != 0),
        "no provisional rows left in {folder}"
    );
    let unread = server
        .values()
        .filter(|fl| !fl.iter().any(|x| x == "\\Seen"))
        .count() as u32;
    assert_eq!(f.unread, unread, "stored unread count of {folder}");
}

/// Waits until the account's queue is empty (a worker is replaying it).
pub async fn wait_replayed(engine: &Engine, account: i64) {
    for _ in 0..150 {
        if engine.store().pending_count(account).unwrap() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "queued actions were not replayed: {:?}",
        engine.pending(account).unwrap()
    );
}
