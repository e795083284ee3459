//! A cache in a temporary directory with one account (INBOX and Sent), and headers to put
//! in it, for unit tests of the store's logic.

use super::Store;
use crate::account::{AccountConfig, Security, Server, Trust};
use crate::folder::{FolderId, Listed, Role};
use crate::message::{Address, Header, MimePart};

pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub store: Store,
    pub inbox: FolderId,
    pub sent: FolderId,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    let account = store
        .add_account(&AccountConfig {
            email: "me@example.org".into(),
            display_name: "Me".into(),
            imap: Server {
                host: "127.0.0.1".into(),
                port: 993,
                security: Security::Tls,
                username: "me".into(),
                allow_plaintext: false,
            },
            smtp: None,
            trust: Trust::default(),
            notify: true,
            password_command: None,
        })
        .unwrap();
    let listed = |name: &str, role| Listed {
        name: name.into(),
        delimiter: "/".into(),
        role,
        subscribed: true,
        selectable: true,
    };
    store
        .replace_folders(
            account,
            &[listed("INBOX", Role::Inbox), listed("Sent", Role::Sent)],
        )
        .unwrap();
    let inbox = store.find_folder(account, "INBOX").unwrap().id;
    let sent = store.find_folder(account, "Sent").unwrap().id;
    Fixture {
        _dir: dir,
        store,
        inbox,
        sent,
    }
}

/// A header with the given UID, Message-ID, references (oldest first), subject and date.
pub fn header(uid: u32, id: &str, refs: &[&str], subject: &str, date: i64) -> Header {
    Header {
        uid,
        message_id: id.into(),
        in_reply_to: refs.last().map(|r| r.to_string()).unwrap_or_default(),
        references: refs.iter().map(|r| r.to_string()).collect(),
        subject: subject.into(),
        date,
        internal_date: date,
        from: vec![Address {
            name: format!("Sender {uid}"),
            email: format!("s{uid}@example.org"),
        }],
        to: vec![Address {
            name: "Me".into(),
            email: "me@example.org".into(),
        }],
        parts: vec![MimePart {
            section: "1".into(),
            mime: "text/plain".into(),
            ..MimePart::default()
        }],
        ..Header::default()
    }
}
