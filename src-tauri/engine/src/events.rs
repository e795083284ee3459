//! Events the engine emits after each commit. They carry ids, not data: a listener re-queries
//! the cache. During bulk sync they come one per batch, never one per message.

use crate::account::AccountId;
use crate::error::Error;
use crate::folder::FolderId;
use crate::message::{Address, MessageId};
use serde::Serialize;
use tokio::sync::broadcast;

/// What a notification needs about a newly arrived message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewMailItem {
    pub id: MessageId,
    pub from: Option<Address>,
    pub subject: String,
    pub date: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// Unread mail that arrived after the folder's first sync: what notifications are for.
    NewMail {
        account: AccountId,
        folder: FolderId,
        messages: Vec<NewMailItem>,
    },
    /// Messages were added to a folder's list: new mail, or moved or copied there.
    MessagesAdded {
        account: AccountId,
        folder: FolderId,
        ids: Vec<MessageId>,
    },
    /// Flags (or bodies) of cached messages changed.
    MessagesChanged {
        account: AccountId,
        folder: FolderId,
        ids: Vec<MessageId>,
    },
    /// Messages left a folder's list: expunged on the server, moved away (the same ids are
    /// then added to another folder) or deleted.
    MessagesRemoved {
        account: AccountId,
        folder: FolderId,
        ids: Vec<MessageId>,
    },
    /// The folder list changed (created, removed, renamed, subscribed).
    FoldersChanged { account: AccountId },
    /// A folder's counts after a batch.
    FolderCounts {
        account: AccountId,
        folder: FolderId,
        total: u32,
        unread: u32,
    },
    /// Progress of a folder's header sync.
    SyncProgress {
        account: AccountId,
        folder: FolderId,
        done: u32,
        total: u32,
    },
    /// The account started or finished syncing; `online` says whether it is connected.
    SyncState {
        account: AccountId,
        syncing: bool,
        online: bool,
    },
    /// The number of the account's actions waiting for the server changed
    /// (`Engine::pending` lists them).
    PendingChanged { account: AccountId, count: u32 },
    /// The server refused a queued action for good; its local change was undone.
    /// `Engine::failures` has the sentence to show, under this id.
    ActionFailed { account: AccountId, failure: i64 },
    /// The account's outbox changed (queued, sending, sent, failed, cancelled):
    /// `Engine::outbox` lists it.
    OutboxChanged { account: AccountId },
    /// The server refused a queued message for good (or its outcome is unknown); it stays in
    /// the outbox with the sentence to show, under this id.
    SendFailed { account: AccountId, outbox: i64 },
    /// The account's drafts changed (saved, synced to the server, sent, deleted).
    DraftsChanged { account: AccountId },
    /// Something failed; the kind says whether the user must act (auth, tls) or wait.
    AccountError { account: AccountId, error: Error },
    /// Too many events were missed: re-query everything.
    ResyncAll,
}

/// The sending side, shared by workers.
#[derive(Clone)]
pub struct EventSender(broadcast::Sender<Event>);

impl EventSender {
    pub fn new() -> Self {
        EventSender(broadcast::channel(4096).0)
    }

    pub fn send(&self, e: Event) {
        // No receivers is fine: nobody is listening yet.
        let _ = self.0.send(e);
    }

    pub fn subscribe(&self) -> Events {
        Events(self.0.subscribe())
    }
}

impl Default for EventSender {
    fn default() -> Self {
        Self::new()
    }
}

/// A listener's stream of events. Falling behind yields `ResyncAll`, never silence.
pub struct Events(broadcast::Receiver<Event>);

impl Events {
    /// The next event, or `None` once the engine is gone.
    pub async fn recv(&mut self) -> Option<Event> {
        match self.0.recv().await {
            Ok(e) => Some(e),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Event::ResyncAll),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// An event if one is waiting, without blocking.
    pub fn try_recv(&mut self) -> Option<Event> {
        match self.0.try_recv() {
            Ok(e) => Some(e),
            Err(broadcast::error::TryRecvError::Lagged(_)) => Some(Event::ResyncAll),
            Err(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lagging_listener_gets_resync() {
        let tx = EventSender(broadcast::channel(2).0);
        let mut rx = tx.subscribe();
        for _ in 0..5 {
            tx.send(Event::FoldersChanged { account: 1 });
        }
        assert_eq!(rx.recv().await, Some(Event::ResyncAll));
        assert_eq!(rx.recv().await, Some(Event::FoldersChanged { account: 1 }));
    }

    #[test]
    fn events_serialize_with_a_type_tag() {
        let json = serde_json::to_string(&Event::FoldersChanged { account: 3 }).unwrap();
        assert_eq!(json, r#"{"type":"folders-changed","account":3}"#);
    }
}
