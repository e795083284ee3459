//! One task per account: connect with backoff, sync, then wait for IDLE wakes, polls and
//! commands. It owns its connections; dropping its handle stops it and closes them.

use crate::account::Account;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::events::{Event, EventSender};
use crate::folder::{Folder, Role};
use crate::folder_ops::FolderOp;
use crate::imap::ops::Conn;
use crate::imap::{timed, Timeouts};
use crate::message::MessageId;
use crate::replay::ReplayLocks;
use crate::store::Store;
use crate::sync::{backoff, SyncOptions, SyncReport, Syncer};
use async_imap::extensions::idle::IdleResponse;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

/// Tunables for workers. Tests shorten them; the defaults suit a desktop client.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub timeouts: Timeouts,
    pub sync: SyncOptions,
    /// How often folders other than INBOX are checked (STATUS) while connected.
    pub poll_interval: Duration,
    /// First reconnect delay after a network failure; it doubles up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// After an authentication or certificate failure the worker waits this long (or for the
    /// user to ask again) instead of hammering the server with a bad password.
    pub auth_retry: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            timeouts: Timeouts::default(),
            sync: SyncOptions::default(),
            poll_interval: Duration::from_secs(120),
            retry_base: Duration::from_secs(2),
            retry_max: Duration::from_secs(300),
            auth_retry: Duration::from_secs(30 * 60),
        }
    }
}

pub(crate) enum Command {
    Sync(oneshot::Sender<Result<SyncReport>>),
    /// New actions were queued: carry them out.
    Replay,
    /// Create, rename, delete or (un)subscribe a folder, online.
    Folder(FolderOp, oneshot::Sender<Result<()>>),
}

/// Aborts the task when dropped, so no task outlives its owner.
pub(crate) struct Owned(JoinHandle<()>);

impl Drop for Owned {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The engine's handle on a running worker.
pub(crate) struct WorkerHandle {
    pub tx: mpsc::Sender<Command>,
    /// Wakes the account's outbox task (`outbox.rs`): something was queued or cancelled.
    pub outbox: Arc<Notify>,
    _task: Owned,
    _outbox: Owned,
}

/// What a worker needs; cheap to clone.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub account: Account,
    pub store: Store,
    pub events: EventSender,
    pub creds: Arc<dyn Credentials>,
    pub opts: EngineOptions,
    pub locks: ReplayLocks,
}

impl Ctx {
    /// The same context for another account (a cross-account action reaches it).
    pub fn for_account(&self, account: Account) -> Ctx {
        Ctx {
            account,
            ..self.clone()
        }
    }

    pub async fn connect(&self) -> Result<Conn> {
        let creds = self.creds.clone();
        let account = self.account.clone();
        let password = tokio::task::spawn_blocking(move || creds.password(&account))
            .await
            .map_err(|e| Error::new(ErrorKind::Cancelled, e.to_string()))??;
        Ok(Conn::open(&self.account, &password, self.opts.timeouts).await?)
    }

    pub(crate) fn syncer<'a>(&'a self, conn: &'a mut Conn) -> Syncer<'a> {
        Syncer {
            conn,
            store: &self.store,
            events: &self.events,
            account: self.account.id,
            opts: &self.opts.sync,
        }
    }

    pub async fn sync_all(&self, conn: &mut Conn) -> Result<SyncReport> {
        self.events.send(Event::SyncState {
            account: self.account.id,
            syncing: true,
            online: true,
        });
        // The user's queued actions go first, so sync does not undo them locally.
        if let Err(e) = self.replay(conn).await {
            self.events.send(Event::SyncState {
                account: self.account.id,
                syncing: false,
                online: false,
            });
            return Err(e);
        }
        let r = self.syncer(conn).sync_all().await;
        self.events.send(Event::SyncState {
            account: self.account.id,
            syncing: false,
            online: r.is_ok(),
        });
        r
    }

    /// Replaces the worker's connection with a new one after a full sync, whose LIST leaves
    /// Dovecot slow on that connection: it then answers every STATUS and SELECT of a large
    /// folder from the full index, about 150 ms at 100k messages against under 1 ms on a
    /// connection that has not sent LIST (measured on 2.3.19), for as long as it lives. New
    /// mail seen by IDLE and the next sync then run on a connection without that cost.
    async fn renew(&self, conn: &mut Conn) -> Result<()> {
        let fresh = self.connect().await?;
        std::mem::replace(conn, fresh).logout().await;
        Ok(())
    }

    /// The account's INBOX in the cache (none before the first sync).
    fn inbox(&self) -> Result<Option<Folder>> {
        Ok(self
            .store
            .folders(self.account.id)?
            .into_iter()
            .find(|f| f.role == Role::Inbox))
    }

    async fn sync_inbox(&self, conn: &mut Conn) -> Result<()> {
        self.replay(conn).await?;
        if let Some(inbox) = self.inbox()? {
            self.syncer(conn).sync_changed_folder(&inbox).await?;
        }
        Ok(())
    }

    /// Fetches mail new in INBOX on `conn`, which has INBOX selected under `uidvalidity`.
    /// Not while the worker replays queued actions: a message the user moved into INBOX gets
    /// its new UID there, which only the replay knows is not new mail (see `replay.rs`).
    async fn fetch_arrivals(&self, conn: &mut Conn, uidvalidity: u32) -> Result<()> {
        let lock = self.locks.get(self.account.id);
        let _held = lock.lock().await;
        if let Some(inbox) = self.inbox()? {
            self.syncer(conn)
                .fetch_arrivals(&inbox, uidvalidity)
                .await?;
        }
        Ok(())
    }

    pub async fn fetch_body(&self, conn: &mut Conn, id: MessageId) -> Result<()> {
        let (folder_id, uid) = self.store.locate(id)?;
        if uid == 0 {
            return self.fetch_provisional_body(conn, id).await;
        }
        let folder = self.store.folder(folder_id)?;
        // The foreground connection keeps the last folder selected: opening the next message
        // there skips a SELECT, which Dovecot pays by reopening the whole mailbox when it
        // changed meanwhile (about half a second at 100k messages). UIDs stay valid while a
        // folder is selected (RFC 3501 §2.3.1.1). Mail that arrived after that SELECT may be
        // unknown to the connection's view until it selects again: a miss is retried once.
        let reused = conn.is_selected(&folder.name);
        if !reused {
            conn.select(&folder.name).await?;
        }
        let mut n = self.syncer(conn).fetch_bodies(&folder, &[uid]).await?;
        if n == 0 && reused {
            conn.select(&folder.name).await?;
            n = self.syncer(conn).fetch_bodies(&folder, &[uid]).await?;
        }
        if n == 0 {
            return Err(Error::new(
                ErrorKind::NotFound,
                "The message is no longer on the server",
            ));
        }
        Ok(())
    }

    /// The body of a message whose UID in its folder is not known yet, from where the
    /// server still has it (see `pending.rs`).
    async fn fetch_provisional_body(&self, conn: &mut Conn, id: MessageId) -> Result<()> {
        let Some((account, folder, uid)) = self.store.server_location(id)? else {
            return Err(Error::new(
                ErrorKind::NotFound,
                "The message is on its way to the server; it can be read once it is there",
            ));
        };
        let mut other = None;
        let conn = if account == self.account.id {
            conn
        } else {
            let ctx = self.for_account(self.store.account(account)?);
            other.insert(ctx.connect().await?)
        };
        conn.select(&folder).await?;
        let bodies = conn.fetch_bodies(&[uid]).await?;
        if let Some(c) = other {
            c.logout().await;
        }
        let Some((_, raw)) = bodies.into_iter().next() else {
            return Err(Error::new(
                ErrorKind::NotFound,
                "The message is no longer on the server",
            ));
        };
        let store = self.store.clone();
        store.run(move |s| s.store_body(id, &raw)).await
    }

    pub(crate) fn report(&self, e: &Error) {
        tracing::warn!(account = self.account.id, kind = ?e.kind, "{}", e.message);
        self.events.send(Event::AccountError {
            account: self.account.id,
            error: e.clone(),
        });
    }
}

pub(crate) fn spawn(ctx: Ctx) -> WorkerHandle {
    let (tx, rx) = mpsc::channel(64);
    let outbox = Arc::new(Notify::new());
    let sender = tokio::spawn(crate::outbox::run(ctx.clone(), outbox.clone(), tx.clone()));
    let task = tokio::spawn(run(ctx, rx));
    WorkerHandle {
        tx,
        outbox,
        _task: Owned(task),
        _outbox: Owned(sender),
    }
}

async fn run(ctx: Ctx, mut rx: mpsc::Receiver<Command>) {
    let wake = Arc::new(Notify::new());
    let mut idle: Option<Owned> = None;
    let mut attempt = 0u32;
    loop {
        let err = match contained(ctx.connect()).await {
            Ok(mut conn) => {
                attempt = 0;
                if idle.is_none() && conn.caps.has("IDLE") {
                    idle = Some(Owned(tokio::spawn(idle_loop(ctx.clone(), wake.clone()))));
                }
                match contained(serve(&ctx, &mut conn, &mut rx, &wake)).await {
                    Ok(()) => {
                        conn.logout().await;
                        return;
                    }
                    Err(e) => e,
                }
            }
            Err(e) => e,
        };
        ctx.report(&err);
        ctx.events.send(Event::SyncState {
            account: ctx.account.id,
            syncing: false,
            online: false,
        });
        let wait = if err.kind.is_transient() {
            backoff(attempt, ctx.opts.retry_base, ctx.opts.retry_max)
        } else {
            ctx.opts.auth_retry
        };
        attempt = attempt.saturating_add(1);
        // While disconnected, answer commands with the last error; a sync request from the
        // user retries at once.
        let sleep = tokio::time::sleep(wait);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                cmd = rx.recv() => match cmd {
                    None => return,
                    Some(Command::Sync(reply)) => {
                        match ctx.connect().await {
                            Ok(mut conn) => {
                                let r = ctx.sync_all(&mut conn).await;
                                let _ = reply.send(r);
                                conn.logout().await;
                                break;
                            }
                            Err(e) => {
                                let _ = reply.send(Err(e));
                            }
                        }
                    }
                    // Stays queued in the cache; replayed after reconnecting.
                    Some(Command::Replay) => {}
                    Some(Command::Folder(op, reply)) => match ctx.connect().await {
                        Ok(mut conn) => {
                            let _ = reply.send(ctx.folder_op(&mut conn, &op).await);
                            conn.logout().await;
                            break;
                        }
                        Err(e) => {
                            let _ = reply.send(Err(e));
                        }
                    },
                },
            }
        }
    }
}

/// Serves one connection until it fails (`Err`) or the engine lets go of the worker (`Ok`).
/// Runs one connection's work so that a panic below it (a dependency's parser meeting a
/// hostile response; see `fuzz/regressions/server_response/`) ends that connection with a
/// protocol error, and the worker reconnects, instead of silently killing the account.
async fn contained<T>(work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(work).catch_unwind().await {
        Ok(r) => r,
        Err(_) => Err(Error::new(
            ErrorKind::Protocol,
            "The server sent a response Tern could not read; the connection was dropped",
        )),
    }
}

async fn serve(
    ctx: &Ctx,
    conn: &mut Conn,
    rx: &mut mpsc::Receiver<Command>,
    wake: &Notify,
) -> Result<()> {
    ctx.sync_all(conn).await?;
    ctx.renew(conn).await?;
    let mut next_poll = tokio::time::Instant::now() + ctx.opts.poll_interval;
    loop {
        tokio::select! {
            cmd = rx.recv() => match cmd {
                None => return Ok(()),
                Some(Command::Sync(reply)) => {
                    let r = ctx.sync_all(conn).await;
                    let failed = r.as_ref().err().filter(|e| e.kind.is_transient()).cloned();
                    let _ = reply.send(r);
                    if let Some(e) = failed {
                        return Err(e);
                    }
                    ctx.renew(conn).await?;
                }
                Some(Command::Replay) => ctx.replay(conn).await?,
                Some(Command::Folder(op, reply)) => {
                    let r = ctx.folder_op(conn, &op).await;
                    let failed = r.as_ref().err().filter(|e| e.kind.is_transient()).cloned();
                    let _ = reply.send(r);
                    if let Some(e) = failed {
                        return Err(e);
                    }
                }
            },
            _ = wake.notified() => ctx.sync_inbox(conn).await?,
            _ = tokio::time::sleep_until(next_poll) => {
                ctx.sync_all(conn).await?;
                ctx.renew(conn).await?;
                next_poll = tokio::time::Instant::now() + ctx.opts.poll_interval;
            }
        }
    }
}

/// Keeps a connection in IDLE on INBOX (RFC 2177) and wakes the worker on any change.
async fn idle_loop(ctx: Ctx, wake: Arc<Notify>) {
    let mut attempt = 0u32;
    loop {
        match contained(idle_once(&ctx, &wake, &mut attempt)).await {
            Ok(()) => {}
            Err(e) => tracing::debug!(
                account = ctx.account.id,
                "IDLE connection ended: {}",
                e.message
            ),
        }
        tokio::time::sleep(backoff(attempt, ctx.opts.retry_base, ctx.opts.retry_max)).await;
        attempt = attempt.saturating_add(1);
    }
}

async fn idle_once(ctx: &Ctx, wake: &Notify, attempt: &mut u32) -> Result<()> {
    let t = ctx.opts.timeouts;
    let mut conn = ctx.connect().await?;
    let selected = conn.select("INBOX").await?;
    *attempt = 0;
    // Anything that arrived between the worker's sync and this SELECT is caught up on now.
    wake.notify_one();
    loop {
        let mut handle = conn.session.idle();
        timed(t.command, handle.init())
            .await?
            .map_err(anyhow::Error::new)?;
        let mut changed = false;
        while !changed {
            let (fut, stop) = handle.wait_with_timeout(t.idle);
            // Re-issue IDLE well before the 29-minute limit even if keepalives keep it open.
            let r = tokio::time::timeout(t.idle, fut).await;
            drop(stop);
            match r {
                Ok(Ok(IdleResponse::NewData(_))) => changed = true,
                Ok(Ok(_)) | Err(_) => break,
                Ok(Err(e)) => {
                    return Err(anyhow::Error::new(e).context("Waiting for new mail").into())
                }
            }
        }
        conn.session = timed(t.command, handle.done())
            .await?
            .map_err(anyhow::Error::new)?;
        if changed {
            // New mail is fetched here first, where INBOX is open, so its notification does
            // not wait for the worker's SELECT; the worker then syncs the rest.
            let fetched = ctx.fetch_arrivals(&mut conn, selected.uidvalidity).await;
            wake.notify_one();
            fetched?;
        }
    }
}
