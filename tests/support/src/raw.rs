//! A second IMAP client for tests: what another mail program does to the same mailbox.

use async_imap::types::Flag;
use futures::TryStreamExt;
use std::collections::BTreeMap;
use tokio::net::TcpStream;

pub struct RawClient {
    pub session: async_imap::Session<TcpStream>,
}

impl RawClient {
    pub async fn login(port: u16, user: &str, password: &str) -> RawClient {
        let tcp = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        let mut client = async_imap::Client::new(tcp);
        client
            .read_response()
            .await
            .expect("greeting")
            .expect("greeting");
        let session = client
            .login(user, password)
            .await
            .map_err(|(e, _)| e)
            .expect("login");
        RawClient { session }
    }

    pub async fn select(&mut self, folder: &str) -> async_imap::types::Mailbox {
        self.session.select(folder).await.expect("select")
    }

    /// UID -> sorted flag names (without \Recent) of the selected folder.
    pub async fn flags(&mut self) -> BTreeMap<u32, Vec<String>> {
        let fetches: Vec<_> = self
            .session
            .uid_fetch("1:*", "(UID FLAGS)")
            .await
            .expect("fetch")
            .try_collect()
            .await
            .expect("fetch");
        // Unsolicited FETCHes (another session's flag changes) carry no UID: skip them.
        fetches
            .iter()
            .filter(|f| f.uid.is_some())
            .map(|f| {
                let mut names: Vec<String> = f
                    .flags()
                    .filter(|fl| !matches!(fl, Flag::Recent))
                    .map(|fl| match fl {
                        Flag::Seen => "\\Seen".to_string(),
                        Flag::Answered => "\\Answered".to_string(),
                        Flag::Flagged => "\\Flagged".to_string(),
                        Flag::Deleted => "\\Deleted".to_string(),
                        Flag::Draft => "\\Draft".to_string(),
                        Flag::Custom(c) => c.to_string(),
                        _ => String::new(),
                    })
                    .collect();
                names.sort();
                (f.uid.expect("uid"), names)
            })
            .collect()
    }

    pub async fn store(&mut self, uids: &str, what: &str) {
        let _: Vec<_> = self
            .session
            .uid_store(uids, what)
            .await
            .expect("store")
            .try_collect()
            .await
            .expect("store");
    }

    pub async fn expunge_uids(&mut self, uids: &str) {
        self.store(uids, "+FLAGS.SILENT (\\Deleted)").await;
        let _: Vec<_> = self
            .session
            .uid_expunge(uids)
            .await
            .expect("expunge")
            .try_collect()
            .await
            .expect("expunge");
    }

    pub async fn append(&mut self, folder: &str, msg: &[u8]) {
        self.session
            .append(folder, None, None, msg)
            .await
            .expect("append");
    }

    pub async fn create(&mut self, folder: &str) {
        self.session.create(folder).await.expect("create");
    }

    pub async fn delete(&mut self, folder: &str) {
        self.session.delete(folder).await.expect("delete");
    }

    /// Moves messages as another client would (RFC 6851).
    pub async fn uid_move(&mut self, uids: &str, to: &str) {
        self.session.uid_mv(uids, to).await.expect("move");
    }

    /// UID -> Message-ID header value (trimmed, with brackets) of the selected folder.
    pub async fn message_ids(&mut self) -> BTreeMap<u32, String> {
        let fetches: Vec<_> = self
            .session
            .uid_fetch("1:*", "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            .await
            .expect("fetch")
            .try_collect()
            .await
            .expect("fetch");
        fetches
            .iter()
            .filter_map(|f| {
                let header = String::from_utf8_lossy(f.header().or(f.body())?).to_string();
                let value = header
                    .split_once(':')
                    .map(|(_, v)| v.trim().to_string())
                    .unwrap_or_default();
                Some((f.uid?, value))
            })
            .collect()
    }

    /// Names of every folder (LIST), or of subscribed ones (LSUB).
    pub async fn folders(&mut self, subscribed: bool) -> Vec<String> {
        let names: Vec<_> = if subscribed {
            self.session
                .lsub(Some(""), Some("*"))
                .await
                .expect("lsub")
                .try_collect()
                .await
                .expect("lsub")
        } else {
            self.session
                .list(Some(""), Some("*"))
                .await
                .expect("list")
                .try_collect()
                .await
                .expect("list")
        };
        let mut v: Vec<String> = names.iter().map(|n| n.name().to_string()).collect();
        v.sort();
        v
    }

    pub async fn logout(mut self) {
        let _ = self.session.logout().await;
    }
}
