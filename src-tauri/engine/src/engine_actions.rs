//! The engine's API for acting on mail. Message actions (move, copy, delete, archive, junk,
//! undo) change the cache and queue the server side in one transaction, announce it, and
//! return at once; the account's worker carries them out (see `pending.rs`). What waits
//! and what the server refused can be listed. Folder management is online (`folder_ops.rs`).

use crate::account::AccountId;
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::folder::{Folder, FolderId, Role};
use crate::folder_ops::FolderOp;
use crate::imap::utf7;
use crate::message::MessageId;
use crate::pending::{FailedOp, PendingOp};
use crate::replay::announce;
use crate::store::{Queued, Touched, UndoRecord};
use crate::worker::Command;
use serde::Serialize;
use tokio::sync::oneshot;

/// Names the last undoable action; see [`Engine::undo`].
pub type UndoId = i64;

/// What an action did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Action {
    /// The messages acted on. Moved messages keep their ids; a copy is a new message.
    pub ids: Vec<MessageId>,
    /// Pass to [`Engine::undo`] to take the action back; `None` if it cannot be.
    pub undo: Option<UndoId>,
}

/// Ids in order, each once.
fn unique(ids: &[MessageId]) -> Vec<MessageId> {
    let mut seen = std::collections::HashSet::new();
    ids.iter().copied().filter(|i| seen.insert(*i)).collect()
}

impl Engine {
    /// Moves messages to a folder (of the same account, or another: then the message is
    /// appended there and deleted here). Undoable.
    pub fn move_messages(&self, ids: &[MessageId], to: FolderId) -> Result<Action> {
        let plan: Vec<_> = unique(ids).into_iter().map(|id| (id, to)).collect();
        self.queue(self.store().queue_moves(&plan, false, Some("move"))?)
    }

    /// Copies messages to a folder, of this account or another. The copies are new
    /// messages, shown at once.
    pub fn copy_messages(&self, ids: &[MessageId], to: FolderId) -> Result<Action> {
        let plan: Vec<_> = unique(ids).into_iter().map(|id| (id, to)).collect();
        self.queue(self.store().queue_moves(&plan, true, None)?)
    }

    /// Moves messages to their account's Archive folder (special-use `\Archive`). Undoable.
    pub fn archive_messages(&self, ids: &[MessageId]) -> Result<Action> {
        let plan = self.plan_to_role(ids, Role::Archive)?;
        self.queue(self.store().queue_moves(&plan, false, Some("archive"))?)
    }

    /// Moves messages to their account's Junk folder, or with `junk == false` back to its
    /// Inbox. Undoable.
    pub fn mark_junk(&self, ids: &[MessageId], junk: bool) -> Result<Action> {
        let role = if junk { Role::Junk } else { Role::Inbox };
        let plan = self.plan_to_role(ids, role)?;
        let kind = if junk { "junk" } else { "not-junk" };
        self.queue(self.store().queue_moves(&plan, false, Some(kind))?)
    }

    /// Deletes messages: those outside Trash move to their account's Trash (undoable);
    /// those already in Trash are deleted for good, which the UI confirms first.
    pub fn delete_messages(&self, ids: &[MessageId]) -> Result<Action> {
        let mut to_trash = Vec::new();
        let mut for_good = Vec::new();
        for id in unique(ids) {
            // A message already gone (another window, a sync) is simply not acted on.
            let Ok((folder, _)) = self.store().locate(id) else {
                continue;
            };
            if self.store().folder(folder)?.role == Role::Trash {
                for_good.push(id);
            } else {
                to_trash.push(id);
            }
        }
        let mut action = Action::default();
        if !to_trash.is_empty() {
            let plan = self.plan_to_role(&to_trash, Role::Trash)?;
            action = self.queue(self.store().queue_moves(&plan, false, Some("delete"))?)?;
        }
        if !for_good.is_empty() {
            let gone = self.queue(self.store().queue_expunge(&for_good)?)?;
            action.ids.extend(gone.ids);
        }
        Ok(action)
    }

    /// Deletes messages for good, wherever they are (`\Deleted` and UID EXPUNGE of exactly
    /// these). Cannot be undone; the UI confirms first.
    pub fn delete_permanently(&self, ids: &[MessageId]) -> Result<Action> {
        self.queue(self.store().queue_expunge(&unique(ids))?)
    }

    /// Takes back the last move, delete, archive or junk: the messages return to the
    /// folders they came from. A move the server has not seen yet is simply cancelled; one
    /// it has is reversed with a move from the UIDs it reported.
    pub fn undo(&self, undo: UndoId) -> Result<Action> {
        let record = self.store().take_undo(undo)?;
        let q = self.store().queue_moves(&record.items, false, None)?;
        self.queue(q)
    }

    /// The action [`Engine::undo`] would take back now.
    pub fn last_undo(&self) -> Result<Option<UndoRecord>> {
        self.store().last_undo()
    }

    /// The account's actions waiting for the server, oldest first.
    pub fn pending(&self, account: AccountId) -> Result<Vec<PendingOp>> {
        self.store().pending_ops(account)
    }

    /// Actions the server refused (their local change was undone), newest first.
    pub fn failures(&self, account: Option<AccountId>) -> Result<Vec<FailedOp>> {
        self.store().failed_ops(account)
    }

    /// Forgets a failure once the user has seen it.
    pub fn dismiss_failure(&self, id: i64) -> Result<()> {
        self.store().dismiss_failure(id)
    }

    /// Sends the account's waiting actions now: through its worker when running (without
    /// waiting), otherwise over a connection opened for the purpose.
    pub async fn push_pending(&self, account: AccountId) -> Result<()> {
        if let Some(tx) = self.sender(account) {
            let _ = tx.try_send(Command::Replay);
            return Ok(());
        }
        let ctx = self.ctx(self.store().account(account)?);
        let mut conn = ctx.connect().await?;
        let r = ctx.replay(&mut conn).await;
        conn.logout().await;
        r
    }

    /// Announces a committed change and wakes the workers whose queues grew.
    pub(crate) fn changed(&self, t: &Touched) {
        announce(self.store(), self.event_sender(), t);
        for account in &t.queues {
            if let Some(tx) = self.sender(*account) {
                // A full channel already holds a wake-up; the action itself is in the cache.
                let _ = tx.try_send(Command::Replay);
            }
        }
    }

    fn queue(&self, q: Queued) -> Result<Action> {
        self.changed(&q.touched);
        Ok(Action {
            ids: q.ids,
            undo: q.undo,
        })
    }

    /// Each message with its account's folder of `role` as destination.
    fn plan_to_role(&self, ids: &[MessageId], role: Role) -> Result<Vec<(MessageId, FolderId)>> {
        let mut plan = Vec::new();
        for id in unique(ids) {
            let Ok((folder, _)) = self.store().locate(id) else {
                continue;
            };
            let account = self.store().folder(folder)?.account_id;
            let target = self
                .store()
                .folders(account)?
                .into_iter()
                .find(|f| f.role == role && f.selectable)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::NotFound,
                        format!("This account has no {} folder", role_name(role)),
                    )
                })?;
            plan.push((id, target.id));
        }
        Ok(plan)
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Inbox => "Inbox",
        Role::Archive => "Archive",
        Role::Junk => "Junk",
        Role::Trash => "Trash",
        Role::Sent => "Sent",
        Role::Drafts => "Drafts",
        _ => "such",
    }
}

impl Engine {
    /// Creates a folder named `name` (one level) under `parent`, or at the top, subscribed.
    /// Online: fails with a network error when the server cannot be reached.
    pub async fn create_folder(
        &self,
        account: AccountId,
        parent: Option<FolderId>,
        name: &str,
    ) -> Result<Folder> {
        let (prefix, delimiter) = match parent {
            Some(p) => {
                let p = self.store().folder(p)?;
                (format!("{}{}", p.display_name, p.delimiter), p.delimiter)
            }
            None => (String::new(), self.delimiter(account)?),
        };
        check_leaf(name, &delimiter)?;
        let server = utf7::encode(&format!("{prefix}{name}"));
        self.folder_command(
            account,
            FolderOp::Create {
                name: server.clone(),
            },
        )
        .await?;
        self.store().find_folder(account, &server)
    }

    /// Renames a folder in place (its subfolders follow); `name` is the new last part.
    pub async fn rename_folder(&self, folder: FolderId, name: &str) -> Result<Folder> {
        let f = self.changeable(folder)?;
        check_leaf(name, &f.delimiter)?;
        let parent = match f.delimiter.chars().next() {
            Some(d) => f
                .display_name
                .rsplit_once(d)
                .map(|(p, _)| format!("{p}{d}"))
                .unwrap_or_default(),
            None => String::new(),
        };
        let server = utf7::encode(&format!("{parent}{name}"));
        let op = FolderOp::Rename {
            from: f.name.clone(),
            to: server.clone(),
        };
        self.folder_command(f.account_id, op).await?;
        self.store().find_folder(f.account_id, &server)
    }

    /// Deletes a folder on the server with its messages. Refused with
    /// [`ErrorKind::NotEmpty`] when it holds messages or subfolders, unless `force`.
    pub async fn delete_folder(&self, folder: FolderId, force: bool) -> Result<()> {
        let f = self.changeable(folder)?;
        let op = FolderOp::Delete {
            name: f.name,
            force,
        };
        self.folder_command(f.account_id, op).await
    }

    /// Subscribes to a folder or unsubscribes from it (RFC 3501 §6.3.6-7).
    pub async fn set_subscribed(&self, folder: FolderId, subscribed: bool) -> Result<()> {
        let f = self.store().folder(folder)?;
        let op = FolderOp::Subscribe {
            name: f.name,
            on: subscribed,
        };
        self.folder_command(f.account_id, op).await
    }

    /// A folder that may be renamed or deleted: not Inbox or another special-use folder,
    /// which mail clients and servers rely on.
    fn changeable(&self, folder: FolderId) -> Result<Folder> {
        let f = self.store().folder(folder)?;
        if f.role != Role::None {
            return Err(Error::new(
                ErrorKind::Refused,
                format!("{} is a special folder and stays as it is", f.display_name),
            ));
        }
        Ok(f)
    }

    /// The account's hierarchy delimiter (from any folder; "/" if none is known).
    fn delimiter(&self, account: AccountId) -> Result<String> {
        Ok(self
            .store()
            .folders(account)?
            .into_iter()
            .map(|f| f.delimiter)
            .find(|d| !d.is_empty())
            .unwrap_or_else(|| "/".into()))
    }

    async fn folder_command(&self, account: AccountId, op: FolderOp) -> Result<()> {
        if let Some(tx) = self.sender(account) {
            let (reply, rx) = oneshot::channel();
            tx.send(Command::Folder(op, reply))
                .await
                .map_err(|_| stopped())?;
            return rx.await.map_err(|_| stopped())?;
        }
        let ctx = self.ctx(self.store().account(account)?);
        let mut conn = ctx.connect().await?;
        let r = ctx.folder_op(&mut conn, &op).await;
        conn.logout().await;
        r
    }
}

fn check_leaf(name: &str, delimiter: &str) -> Result<()> {
    let bad = name.trim().is_empty()
        || name.trim() != name
        || (!delimiter.is_empty() && name.contains(delimiter))
        || name.chars().any(|c| c.is_control());
    if bad {
        return Err(Error::new(
            ErrorKind::Refused,
            format!("'{name}' cannot be a folder name (empty, spaces at the ends, or containing '{delimiter}')"),
        ));
    }
    Ok(())
}

fn stopped() -> Error {
    Error::new(ErrorKind::Cancelled, "The account's worker stopped")
}
