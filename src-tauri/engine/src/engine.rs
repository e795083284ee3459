//! The engine handle: accounts, their workers, the cache and the event stream. This is the
//! API the CLI and the app use.

use crate::account::{Account, AccountConfig, AccountId};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::events::{Event, EventSender, Events};
use crate::folder::{Folder, FolderId};
use crate::imap::ops::Conn;
use crate::message::flags;
use crate::message::{MessageDetail, MessageId, MessageSummary};
use crate::render::{self, MessageView};
use crate::replay::ReplayLocks;
use crate::store::Store;
use crate::sync::SyncReport;
use crate::worker::{self, Command, Ctx, EngineOptions, WorkerHandle};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// The file name of the cache inside the data directory.
pub const CACHE_FILE: &str = "tern.sqlite3";

pub struct Engine {
    store: Store,
    events: EventSender,
    creds: Arc<dyn Credentials>,
    opts: EngineOptions,
    workers: Mutex<HashMap<AccountId, WorkerHandle>>,
    /// One connection per account for on-demand bodies, opened when first needed.
    foreground: tokio::sync::Mutex<HashMap<AccountId, Conn>>,
    locks: ReplayLocks,
}

impl Engine {
    /// Opens the profile in `data_dir` (created if needed).
    pub fn open(
        data_dir: &Path,
        creds: Arc<dyn Credentials>,
        opts: EngineOptions,
    ) -> Result<Engine> {
        let store = Store::open(&data_dir.join(CACHE_FILE))?;
        let events = EventSender::new();
        // Bulk inserts get their threads, and bulk bodies their text, after the insert
        // (store/background.rs): views of them re-query.
        let sender = events.clone();
        store.on_changed(move |batches| {
            for b in batches {
                sender.send(Event::MessagesChanged {
                    account: b.account,
                    folder: b.folder,
                    ids: b.ids.clone(),
                });
            }
        });
        Ok(Engine {
            store,
            events,
            creds,
            opts,
            workers: Mutex::new(HashMap::new()),
            foreground: tokio::sync::Mutex::new(HashMap::new()),
            locks: ReplayLocks::default(),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A new listener for engine events.
    pub fn events(&self) -> Events {
        self.events.subscribe()
    }

    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.store.accounts()
    }

    pub fn account(&self, id: AccountId) -> Result<Account> {
        self.store.account(id)
    }

    /// Connects and logs in with the given settings and password, then logs out. Used to
    /// check an account before saving it; the error says what is wrong in words.
    pub async fn test_login(&self, config: &AccountConfig, password: &str) -> Result<()> {
        config.validate()?;
        let account = Account {
            id: 0,
            config: config.clone(),
        };
        let mut conn = Conn::open(&account, password, self.opts.timeouts).await?;
        conn.list_folders().await?;
        conn.logout().await;
        Ok(())
    }

    pub fn add_account(&self, config: &AccountConfig) -> Result<AccountId> {
        config.validate()?;
        self.store.add_account(config)
    }

    /// Changes an account's settings; a running worker restarts with them.
    pub fn update_account(&self, id: AccountId, config: &AccountConfig) -> Result<()> {
        config.validate()?;
        self.store.update_account(id, config)?;
        if self.stop(id) {
            self.start(id)?;
        }
        Ok(())
    }

    /// Stops the account's worker and deletes it with everything cached for it.
    pub fn remove_account(&self, id: AccountId) -> Result<()> {
        self.stop(id);
        self.store.remove_account(id)
    }

    /// Starts the account's worker (connect, sync, IDLE, poll). Needs a Tokio runtime.
    pub fn start(&self, id: AccountId) -> Result<()> {
        let account = self.store.account(id)?;
        let mut workers = self.workers.lock().unwrap_or_else(|p| p.into_inner());
        workers
            .entry(id)
            .or_insert_with(|| worker::spawn(self.ctx(account)));
        Ok(())
    }

    /// Starts every account's worker.
    pub fn start_all(&self) -> Result<()> {
        for a in self.store.accounts()? {
            self.start(a.id)?;
        }
        Ok(())
    }

    /// Stops the account's worker and closes its foreground connection; returns whether a
    /// worker was running.
    pub fn stop(&self, id: AccountId) -> bool {
        if let Ok(mut fg) = self.foreground.try_lock() {
            fg.remove(&id);
        }
        self.workers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id)
            .is_some()
    }

    pub(crate) fn ctx(&self, account: Account) -> Ctx {
        Ctx {
            account,
            store: self.store.clone(),
            events: self.events.clone(),
            creds: self.creds.clone(),
            opts: self.opts.clone(),
            locks: self.locks.clone(),
        }
    }

    pub(crate) fn event_sender(&self) -> &EventSender {
        &self.events
    }

    pub(crate) fn sender(&self, id: AccountId) -> Option<tokio::sync::mpsc::Sender<Command>> {
        self.workers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .map(|w| w.tx.clone())
    }

    /// The wake of the account's outbox task, when its worker runs.
    pub(crate) fn worker_outbox(&self, id: AccountId) -> Option<Arc<tokio::sync::Notify>> {
        self.workers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .map(|w| w.outbox.clone())
    }

    /// Syncs every folder of the account now: through its worker when running, otherwise
    /// over a connection opened for the purpose.
    pub async fn sync(&self, id: AccountId) -> Result<SyncReport> {
        if let Some(tx) = self.sender(id) {
            let (reply, rx) = oneshot::channel();
            tx.send(Command::Sync(reply))
                .await
                .map_err(|_| cancelled())?;
            return rx.await.map_err(|_| cancelled())?;
        }
        let ctx = self.ctx(self.store.account(id)?);
        let mut conn = ctx.connect().await?;
        let r = ctx.sync_all(&mut conn).await;
        conn.logout().await;
        r
    }

    pub fn folders(&self, account: AccountId) -> Result<Vec<Folder>> {
        self.store.folders(account)
    }

    /// A page of a folder's messages from the cache, newest first. Never waits on the network.
    pub fn messages(
        &self,
        folder: FolderId,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<MessageSummary>> {
        self.store.list(folder, offset, limit)
    }

    /// A message with its body, fetching the body from the server if it is not cached.
    pub async fn message(&self, id: MessageId) -> Result<MessageDetail> {
        let detail = self.store.message(id)?;
        if detail.body.is_some() {
            return Ok(detail);
        }
        // Bodies come over a foreground connection of their own, so opening a message never
        // waits behind a long sync on the worker's connection.
        let folder = self.store.folder(detail.summary.folder_id)?;
        let ctx = self.ctx(self.store.account(folder.account_id)?);
        let mut fg = self.foreground.lock().await;
        let mut conn = match fg.remove(&folder.account_id) {
            Some(c) => c,
            None => ctx.connect().await?,
        };
        match ctx.fetch_body(&mut conn, id).await {
            Ok(()) => {
                fg.insert(folder.account_id, conn);
            }
            // A refusal leaves the connection usable; anything else drops it.
            Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Refused) => {
                fg.insert(folder.account_id, conn);
                return Err(e);
            }
            Err(e) => return Err(e),
        }
        drop(fg);
        self.store.message(id)
    }
}

impl Engine {
    /// Every account's INBOX, for the unified inbox.
    pub fn inbox_folders(&self) -> Result<Vec<FolderId>> {
        let mut v = Vec::new();
        for a in self.store.accounts()? {
            v.extend(
                self.store
                    .folders(a.id)?
                    .into_iter()
                    .filter(|f| f.role == crate::Role::Inbox)
                    .map(|f| f.id),
            );
        }
        Ok(v)
    }

    /// Sets and clears flags at once in the cache and queues the change for the server
    /// (the write path: local change and pending operation in one transaction).
    pub fn set_flags(&self, ids: &[MessageId], add: u32, remove: u32) -> Result<()> {
        let touched = self.store.queue_flags(ids, add, remove)?;
        self.changed(&touched);
        Ok(())
    }

    /// A message for the reader: body fetched if needed, HTML sanitized, remote content shown
    /// only if allowed always for the sender or `allow_once`. Marks it read.
    pub async fn open_message(&self, id: MessageId, allow_once: bool) -> Result<MessageView> {
        let detail = self.message(id).await?;
        if detail.summary.flags & flags::SEEN == 0 {
            self.set_flags(&[id], flags::SEEN, 0)?;
        }
        let raw = self.store.raw_body(id)?.unwrap_or_default();
        let sender = detail
            .summary
            .from
            .as_ref()
            .map(|a| a.email.to_ascii_lowercase())
            .unwrap_or_default();
        let always = !sender.is_empty() && self.store.setting(&remote_key(&sender))?.is_some();
        let mut view = render::view(&detail, &raw, allow_once || always);
        view.summary.flags |= flags::SEEN;
        Ok(view)
    }

    /// Attachment `index` of a message: safe file name, MIME type and decoded bytes.
    pub async fn attachment(&self, id: MessageId, index: u32) -> Result<(String, String, Vec<u8>)> {
        self.message(id).await?;
        let raw = self.store.raw_body(id)?.unwrap_or_default();
        crate::mime::attachment(&raw, index)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "The message has no such attachment"))
    }

    /// Remembers that remote content from this sender may always load.
    pub fn allow_remote_always(&self, sender: &str) -> Result<()> {
        self.store
            .set_setting(&remote_key(&sender.to_ascii_lowercase()), "1")
    }
}

fn remote_key(sender: &str) -> String {
    format!("remote-content:{sender}")
}

fn cancelled() -> Error {
    Error::new(ErrorKind::Cancelled, "The account's worker stopped")
}
