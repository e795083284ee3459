//! Replaying the queue of user actions to the server, in order, each exactly once (see
//! `pending.rs` for the design). One replay per account at a time; every server command
//! moves the handles it acts on, and each operation's end settles them into the cache.

use crate::account::AccountId;
use crate::error::{Error, ErrorKind, Result};
use crate::events::{Event, EventSender};
use crate::imap::ops::Conn;
use crate::imap::raw::Code;
use crate::pending::{HandleId, Op, MAX_ATTEMPTS};
use crate::store::{Handle, Place, Store, Touched};
use crate::worker::Ctx;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// One lock per account, so two replays (the worker's and a one-off sync's) never run the
/// same operation twice at once.
#[derive(Clone, Default)]
pub(crate) struct ReplayLocks(Arc<Mutex<HashMap<AccountId, Arc<tokio::sync::Mutex<()>>>>>);

impl ReplayLocks {
    /// The account's lock: held while its queued actions are replayed, and while new mail is
    /// fetched outside the worker (worker.rs), so that never sees a moved message's new UID
    /// before its replay has recorded it.
    pub(crate) fn get(&self, account: AccountId) -> Arc<tokio::sync::Mutex<()>> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(account)
            .or_default()
            .clone()
    }
}

/// Sends the events for a committed change: ids only, then counts and queue lengths.
pub(crate) fn announce(store: &Store, events: &EventSender, t: &Touched) {
    for ((account, folder), ids) in &t.removed {
        events.send(Event::MessagesRemoved {
            account: *account,
            folder: *folder,
            ids: ids.clone(),
        });
    }
    for ((account, folder), ids) in &t.added {
        events.send(Event::MessagesAdded {
            account: *account,
            folder: *folder,
            ids: ids.clone(),
        });
    }
    for ((account, folder), ids) in &t.messages {
        events.send(Event::MessagesChanged {
            account: *account,
            folder: *folder,
            ids: ids.clone(),
        });
    }
    for (account, folder) in t.folders() {
        if let Ok(f) = store.folder(folder) {
            events.send(Event::FolderCounts {
                account,
                folder,
                total: f.total,
                unread: f.unread,
            });
        }
    }
    for account in &t.queues {
        if let Ok(count) = store.pending_count(*account) {
            events.send(Event::PendingChanged {
                account: *account,
                count,
            });
        }
    }
}

/// The connections a replay uses: the worker's own, and one per other account that a
/// cross-account action reaches, opened when first needed and closed at the end.
struct Conns<'a> {
    ctx: &'a Ctx,
    own: &'a mut Conn,
    others: HashMap<AccountId, Conn>,
}

impl Conns<'_> {
    async fn get(&mut self, account: AccountId) -> Result<&mut Conn> {
        if account == self.ctx.account.id {
            return Ok(self.own);
        }
        if !self.others.contains_key(&account) {
            let other = self.ctx.for_account(self.ctx.store.account(account)?);
            // The other account's trouble is not this one's: retry later, never wait for
            // the user on this account's behalf.
            let conn = other.connect().await.map_err(|e| {
                Error::new(
                    ErrorKind::Network,
                    format!("Reaching {}: {}", other.account.config.email, e.message),
                )
            })?;
            self.others.insert(account, conn);
        }
        self.others
            .get_mut(&account)
            .ok_or_else(|| Error::new(ErrorKind::Cancelled, "connection lost"))
    }

    async fn close(self) {
        for (_, c) in self.others {
            c.logout().await;
        }
    }
}

/// Whether a failure is final: the server refused (NO), or kept answering BAD.
fn permanent(e: &Error, attempts: u32) -> bool {
    matches!(e.kind, ErrorKind::Refused | ErrorKind::NotFound)
        || (e.kind == ErrorKind::Protocol && attempts + 1 >= MAX_ATTEMPTS)
}

/// Handles grouped by where the server has them: (account, folder, UIDVALIDITY).
type Groups = BTreeMap<(AccountId, String, u32), Vec<Handle>>;

impl Ctx {
    /// Carries out queued actions in order. A refusal ends the action, undoes its local
    /// change and stores the failure; a network failure stops here, and the worker retries
    /// after reconnecting. Folders a conflict left uncertain are synced afterwards.
    pub async fn replay(&self, conn: &mut Conn) -> Result<()> {
        let lock = self.locks.get(self.account.id);
        let _held = lock.lock().await;
        let mut conns = Conns {
            ctx: self,
            own: conn,
            others: HashMap::new(),
        };
        let r = self.replay_all(&mut conns).await;
        conns.close().await;
        r?;
        for id in self.store.folders_to_rescan(self.account.id)? {
            let folder = self.store.folder(id)?;
            match self.syncer(conn).sync_folder(&folder).await {
                Err(e) if e.kind == ErrorKind::Refused => {} // gone; LIST will drop it
                r => {
                    r?;
                }
            }
        }
        Ok(())
    }

    async fn replay_all(&self, conns: &mut Conns<'_>) -> Result<()> {
        for queued in self.store.pending_ops(self.account.id)? {
            // Read again as it stands now (an undo may have changed it), marked started.
            let Some(p) = self.store.start_op(queued.id)? else {
                continue;
            };
            match self.run(conns, &p.op).await {
                Ok(()) => {
                    let (t, _) = self.store.complete_op(p.id, None)?;
                    announce(&self.store, &self.events, &t);
                }
                Err(e) if permanent(&e, p.attempts) => {
                    let (t, failure) = self.store.complete_op(p.id, Some(&e))?;
                    announce(&self.store, &self.events, &t);
                    if let Some(failure) = failure {
                        self.events.send(Event::ActionFailed {
                            account: self.account.id,
                            failure,
                        });
                    }
                    self.report(&e);
                }
                Err(e) => {
                    self.store.fail_op(p.id, &e.message)?;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    async fn run(&self, conns: &mut Conns<'_>, op: &Op) -> Result<()> {
        match op {
            Op::Flags {
                folder,
                uidvalidity,
                uids,
                add,
                remove,
                handles,
            } => {
                if !uids.is_empty() {
                    let conn = conns.get(self.account.id).await?;
                    // Another UIDVALIDITY means these UIDs name nothing any more.
                    if conn.select(folder).await?.uidvalidity == *uidvalidity {
                        conn.store_flags(uids, *add, *remove).await?;
                    }
                }
                for ((account, folder, uv), hs) in self.groups(handles)? {
                    let conn = conns.get(account).await?;
                    if self.select_checked(conn, &folder, uv, &hs).await? {
                        let uids: Vec<u32> = hs.iter().map(|h| h.uid).collect();
                        conn.store_flags(&uids, *add, *remove).await?;
                    }
                }
                Ok(())
            }
            Op::Move {
                to_account,
                to,
                handles,
            } => self.run_move(conns, *to_account, to, handles).await,
            Op::Copy {
                to_account,
                to,
                pairs,
            } => self.run_copy(conns, *to_account, to, pairs).await,
            Op::Expunge { handles } => {
                for ((account, folder, uv), hs) in self.groups(handles)? {
                    let conn = conns.get(account).await?;
                    if self.select_checked(conn, &folder, uv, &hs).await? {
                        let uids: Vec<u32> = hs.iter().map(|h| h.uid).collect();
                        conn.expunge_uids(&uids).await?;
                        self.gone(&hs)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// The handles with a known place, grouped by it.
    fn groups(&self, ids: &[HandleId]) -> Result<Groups> {
        let mut g = Groups::new();
        for id in ids {
            if let Some(h) = self.store.handle(*id)? {
                if h.uid != 0 {
                    g.entry((h.account, h.folder.clone(), h.uidvalidity))
                        .or_default()
                        .push(h);
                }
            }
        }
        Ok(g)
    }

    /// Selects the folder the handles are in. If it is gone or its UIDVALIDITY changed, the
    /// messages are gone for this purpose (a conflict, not a failure) and false is returned.
    async fn select_checked(
        &self,
        conn: &mut Conn,
        folder: &str,
        uidvalidity: u32,
        hs: &[Handle],
    ) -> Result<bool> {
        match conn.select(folder).await.map_err(Error::from) {
            Ok(sel) if sel.uidvalidity == uidvalidity => Ok(true),
            Ok(_) => {
                self.gone(hs)?;
                Ok(false)
            }
            Err(e) if e.kind == ErrorKind::Refused => {
                self.gone(hs)?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn gone(&self, hs: &[Handle]) -> Result<()> {
        let places: Vec<_> = hs.iter().map(|h| (h.id, None)).collect();
        self.store.place_handles(&places)
    }

    /// Moves messages to `to`: MOVE within an account, APPEND and delete across accounts.
    async fn run_move(
        &self,
        conns: &mut Conns<'_>,
        to_account: AccountId,
        to: &str,
        ids: &[HandleId],
    ) -> Result<()> {
        for ((account, folder, uv), hs) in self.groups(ids)? {
            // Already there: a rerun after the move was recorded, or a move back after an
            // earlier one failed.
            let hs: Vec<Handle> = hs
                .into_iter()
                .filter(|h| !(h.account == to_account && h.folder == to))
                .collect();
            if hs.is_empty() {
                continue;
            }
            if account != to_account {
                for h in &hs {
                    self.transfer(conns, h, h, to_account, to, true).await?;
                }
                continue;
            }
            let conn = conns.get(account).await?;
            if conn.caps.has("MOVE") {
                if self.select_checked(conn, &folder, uv, &hs).await? {
                    let uids: Vec<u32> = hs.iter().map(|h| h.uid).collect();
                    let code = conn.move_uids(&uids, to).await?;
                    self.place_copied(conn, code, &hs, &hs, to_account, to)
                        .await?;
                }
                continue;
            }
            // Without MOVE: UID COPY, then \Deleted and UID EXPUNGE of exactly these. COPY is
            // not idempotent, so what a cut-off earlier attempt copied is adopted, not copied
            // again; its original is still expunged below.
            let left = self.adopt_sent(conn, &hs, to_account, to).await?;
            if !self.select_checked(conn, &folder, uv, &left).await? {
                continue;
            }
            self.store
                .mark_sent(&left.iter().map(|h| h.id).collect::<Vec<_>>())?;
            let uids: Vec<u32> = left.iter().map(|h| h.uid).collect();
            let code = conn.copy_uids(&uids, to).await?;
            let all: Vec<u32> = hs.iter().map(|h| h.uid).collect();
            conn.expunge_uids(&all).await?;
            self.place_copied(conn, code, &left, &left, to_account, to)
                .await?;
        }
        Ok(())
    }

    /// Copies messages: each pair is (original, copy to make).
    async fn run_copy(
        &self,
        conns: &mut Conns<'_>,
        to_account: AccountId,
        to: &str,
        pairs: &[(HandleId, HandleId)],
    ) -> Result<()> {
        let mut by_source: BTreeMap<(AccountId, String, u32), Vec<(Handle, Handle)>> =
            BTreeMap::new();
        for (s, t) in pairs {
            let (Some(src), Some(copy)) = (self.store.handle(*s)?, self.store.handle(*t)?) else {
                continue; // the copy was cancelled
            };
            if copy.uid != 0 {
                continue; // made by an earlier attempt
            }
            if src.uid == 0 {
                self.gone(&[copy])?;
                continue;
            }
            by_source
                .entry((src.account, src.folder.clone(), src.uidvalidity))
                .or_default()
                .push((src, copy));
        }
        for ((account, folder, uv), items) in by_source {
            if account != to_account {
                for (src, copy) in &items {
                    self.transfer(conns, src, copy, to_account, to, false)
                        .await?;
                }
                continue;
            }
            let conn = conns.get(account).await?;
            let copies: Vec<Handle> = items.iter().map(|(_, c)| c.clone()).collect();
            let left = self.adopt_sent(conn, &copies, to_account, to).await?;
            let items: Vec<(Handle, Handle)> = items
                .into_iter()
                .filter(|(_, c)| left.iter().any(|l| l.id == c.id))
                .collect();
            let (srcs, copies): (Vec<Handle>, Vec<Handle>) = items.into_iter().unzip();
            if srcs.is_empty() || !self.select_checked(conn, &folder, uv, &copies).await? {
                continue;
            }
            self.store
                .mark_sent(&copies.iter().map(|h| h.id).collect::<Vec<_>>())?;
            let uids: Vec<u32> = srcs.iter().map(|h| h.uid).collect();
            let code = conn.copy_uids(&uids, to).await?;
            self.place_copied(conn, code, &srcs, &copies, to_account, to)
                .await?;
        }
        Ok(())
    }

    /// Records where COPYUID says each source went (`targets[i]` is the handle that names
    /// the copy of `sources[i]`, the same handle for a move). Messages COPYUID does not
    /// cover are looked for by Message-ID; one not found is gone.
    async fn place_copied(
        &self,
        conn: &mut Conn,
        code: Code,
        sources: &[Handle],
        targets: &[Handle],
        to_account: AccountId,
        to: &str,
    ) -> Result<()> {
        let mut places = Vec::new();
        let mut missing = Vec::new();
        let (uv, map): (u32, HashMap<u32, u32>) = match code {
            Code::CopyUid { uidvalidity, pairs } => (uidvalidity, pairs.into_iter().collect()),
            _ => (0, HashMap::new()),
        };
        for (s, t) in sources.iter().zip(targets) {
            match map.get(&s.uid) {
                Some(uid) => places.push((
                    t.id,
                    Some(Place {
                        account: to_account,
                        folder: to.to_string(),
                        uidvalidity: uv,
                        uid: *uid,
                    }),
                )),
                None => missing.push(t.clone()),
            }
        }
        self.store.place_handles(&places)?;
        if !missing.is_empty() {
            let found = self.find_in(conn, to_account, to, &missing).await?;
            self.store.place_handles(&found)?;
        }
        Ok(())
    }

    /// Places the handles marked sent (a COPY or APPEND went out, its result unknown) whose
    /// message is in the destination already; returns the handles still to do.
    async fn adopt_sent(
        &self,
        conn: &mut Conn,
        hs: &[Handle],
        to_account: AccountId,
        to: &str,
    ) -> Result<Vec<Handle>> {
        let retry: Vec<Handle> = hs.iter().filter(|h| h.sent).cloned().collect();
        if retry.is_empty() {
            return Ok(hs.to_vec());
        }
        let found: Vec<_> = self
            .find_in(conn, to_account, to, &retry)
            .await?
            .into_iter()
            .filter(|(_, p)| p.is_some())
            .collect();
        self.store.place_handles(&found)?;
        let done: HashSet<HandleId> = found.iter().map(|(id, _)| *id).collect();
        Ok(hs
            .iter()
            .filter(|h| !done.contains(&h.id))
            .cloned()
            .collect())
    }

    /// Looks for messages in a folder by Message-ID, skipping UIDs the cache or other
    /// handles already account for: (handle, place or `None` when not there).
    async fn find_in(
        &self,
        conn: &mut Conn,
        account: AccountId,
        folder: &str,
        hs: &[Handle],
    ) -> Result<Vec<(HandleId, Option<Place>)>> {
        let sel = match conn.select(folder).await.map_err(Error::from) {
            Ok(sel) => sel,
            Err(e) if e.kind == ErrorKind::Refused => {
                return Ok(hs.iter().map(|h| (h.id, None)).collect())
            }
            Err(e) => return Err(e),
        };
        let mut taken = match self.store.find_folder(account, folder) {
            Ok(f) if f.name == folder => self.store.known_uids(f.id)?,
            _ => HashSet::new(),
        };
        let mut out = Vec::new();
        for h in hs {
            let found = conn
                .find_message_id(&h.message_id)
                .await?
                .into_iter()
                .filter(|u| !taken.contains(u))
                .max();
            out.push((
                h.id,
                found.map(|uid| {
                    taken.insert(uid);
                    Place {
                        account,
                        folder: folder.to_string(),
                        uidvalidity: sel.uidvalidity,
                        uid,
                    }
                }),
            ));
        }
        Ok(out)
    }

    /// Copies one message to another account: FETCH BODY.PEEK[] with flags and INTERNALDATE,
    /// APPEND, then (for a move) delete the original, and only then record the new place, so
    /// a cut-off run finds the message by Message-ID instead of appending it twice.
    async fn transfer(
        &self,
        conns: &mut Conns<'_>,
        src: &Handle,
        target: &Handle,
        to_account: AccountId,
        to: &str,
        delete_source: bool,
    ) -> Result<()> {
        let mut place = None;
        if target.sent {
            let dst = conns.get(to_account).await?;
            place = self
                .find_in(dst, to_account, to, std::slice::from_ref(target))
                .await?
                .pop()
                .and_then(|(_, p)| p);
        }
        if place.is_none() {
            let source = conns.get(src.account).await?;
            let one = std::slice::from_ref(target);
            if !self
                .select_checked(source, &src.folder, src.uidvalidity, one)
                .await?
            {
                return Ok(());
            }
            let Some(original) = source.fetch_original(src.uid).await? else {
                // Expunged by another client meanwhile: nothing to copy.
                return self.gone(one);
            };
            self.store.mark_sent(&[target.id])?;
            let dst = conns.get(to_account).await?;
            place = match dst.append(to, &original).await? {
                Code::AppendUid { uidvalidity, uid } => Some(Place {
                    account: to_account,
                    folder: to.to_string(),
                    uidvalidity,
                    uid,
                }),
                _ => self
                    .find_in(dst, to_account, to, one)
                    .await?
                    .pop()
                    .and_then(|(_, p)| p),
            };
        }
        if delete_source {
            let source = conns.get(src.account).await?;
            match source.select(&src.folder).await.map_err(Error::from) {
                Ok(sel) if sel.uidvalidity == src.uidvalidity => {
                    source.expunge_uids(&[src.uid]).await?
                }
                Ok(_) => {}
                Err(e) if e.kind == ErrorKind::Refused => {}
                Err(e) => return Err(e),
            }
        }
        self.store.place_handles(&[(target.id, place)])
    }
}
