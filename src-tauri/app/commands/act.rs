//! Acting on mail: move, copy, archive, junk, delete and undo (local at once, queued for the
//! server by the engine), what waits and what failed, and folder management.

use super::CmdResult;
use crate::state::AppState;
use serde::Serialize;
use std::collections::HashSet;
use tauri::State;
use tern_engine::{
    AccountId, Action, Error, ErrorKind, FolderId, MessageId, Role, ThreadId, UndoId,
};

/// What an action did, for the undo bar.
#[derive(Debug, Serialize)]
pub struct ActionDone {
    pub undo: Option<UndoId>,
    pub count: usize,
    /// The folder the messages are in now, when they went somewhere.
    pub destination: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Waiting {
    pub account: AccountId,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct FailedAction {
    pub id: i64,
    pub account: AccountId,
    pub what: String,
    pub error: Error,
}

#[derive(Debug, Serialize)]
pub struct PendingState {
    pub waiting: Vec<Waiting>,
    pub failed: Vec<FailedAction>,
}

/// The messages an action applies to: those given, and of each conversation those in the
/// folders on screen (`list_folder`; every INBOX for the unified inbox). Moving a
/// conversation out of the Inbox leaves your replies in Sent where they are.
fn expand(
    state: &AppState,
    ids: Vec<MessageId>,
    threads: &[ThreadId],
    list_folder: Option<FolderId>,
) -> CmdResult<Vec<MessageId>> {
    let mut all = ids;
    if !threads.is_empty() {
        let shown: HashSet<FolderId> = match list_folder {
            Some(f) => HashSet::from([f]),
            None => state.engine.inbox_folders()?.into_iter().collect(),
        };
        for t in threads {
            all.extend(
                state
                    .engine
                    .thread_messages(*t)?
                    .into_iter()
                    .filter(|m| shown.contains(&m.folder_id))
                    .map(|m| m.id),
            );
        }
    }
    if all.is_empty() {
        return Err(Error::new(ErrorKind::NotFound, "No messages to act on"));
    }
    Ok(all)
}

fn done(state: &AppState, action: Action, moved: bool) -> CmdResult<ActionDone> {
    let destination = match (moved, action.ids.first()) {
        (true, Some(id)) => {
            let (folder, _) = state.engine.store().locate(*id)?;
            Some(state.engine.store().folder(folder)?.display_name)
        }
        _ => None,
    };
    Ok(ActionDone {
        undo: action.undo,
        count: action.ids.len(),
        destination,
    })
}

#[tauri::command]
pub fn messages_move(
    state: State<'_, AppState>,
    ids: Vec<MessageId>,
    thread_ids: Vec<ThreadId>,
    list_folder: Option<FolderId>,
    folder_id: FolderId,
    copy: bool,
) -> CmdResult<ActionDone> {
    let ids = expand(&state, ids, &thread_ids, list_folder)?;
    let action = if copy {
        state.engine.copy_messages(&ids, folder_id)?
    } else {
        state.engine.move_messages(&ids, folder_id)?
    };
    done(&state, action, true)
}

#[tauri::command]
pub fn messages_archive(
    state: State<'_, AppState>,
    ids: Vec<MessageId>,
    thread_ids: Vec<ThreadId>,
    list_folder: Option<FolderId>,
) -> CmdResult<ActionDone> {
    let ids = expand(&state, ids, &thread_ids, list_folder)?;
    let action = state.engine.archive_messages(&ids)?;
    done(&state, action, true)
}

#[tauri::command]
pub fn messages_junk(
    state: State<'_, AppState>,
    ids: Vec<MessageId>,
    thread_ids: Vec<ThreadId>,
    list_folder: Option<FolderId>,
    junk: bool,
) -> CmdResult<ActionDone> {
    let ids = expand(&state, ids, &thread_ids, list_folder)?;
    let action = state.engine.mark_junk(&ids, junk)?;
    done(&state, action, true)
}

/// To Trash; `permanent` (asked only after the user confirmed) deletes for good. Without it,
/// messages already in Trash are left alone, so nothing is lost without a confirmation.
#[tauri::command]
pub fn messages_delete(
    state: State<'_, AppState>,
    ids: Vec<MessageId>,
    thread_ids: Vec<ThreadId>,
    list_folder: Option<FolderId>,
    permanent: bool,
) -> CmdResult<ActionDone> {
    let ids = expand(&state, ids, &thread_ids, list_folder)?;
    if permanent {
        let action = state.engine.delete_permanently(&ids)?;
        return done(&state, action, false);
    }
    let store = state.engine.store();
    let mut outside = Vec::new();
    for id in ids {
        let (folder, _) = store.locate(id)?;
        if store.folder(folder)?.role != Role::Trash {
            outside.push(id);
        }
    }
    if outside.is_empty() {
        return Err(Error::new(
            ErrorKind::Config,
            "Already in Trash: open Trash to delete it for good",
        ));
    }
    let action = state.engine.delete_messages(&outside)?;
    done(&state, action, true)
}

#[tauri::command]
pub fn action_undo(state: State<'_, AppState>, token: UndoId) -> CmdResult<()> {
    state.engine.undo(token).map(|_| ())
}

#[tauri::command]
pub fn pending_status(state: State<'_, AppState>) -> CmdResult<PendingState> {
    let mut waiting = Vec::new();
    for a in state.engine.accounts()? {
        let count = state.engine.pending(a.id)?.len();
        if count > 0 {
            waiting.push(Waiting {
                account: a.id,
                count,
            });
        }
    }
    let failed = state
        .engine
        .failures(None)?
        .into_iter()
        .map(|f| FailedAction {
            id: f.id,
            account: f.account,
            what: f.description,
            error: f.error,
        })
        .collect();
    Ok(PendingState { waiting, failed })
}

#[tauri::command]
pub fn failure_dismiss(state: State<'_, AppState>, id: i64) -> CmdResult<()> {
    state.engine.dismiss_failure(id)
}

#[tauri::command]
pub async fn folder_create(
    state: State<'_, AppState>,
    account_id: AccountId,
    parent_id: Option<FolderId>,
    name: String,
) -> CmdResult<()> {
    state
        .engine
        .create_folder(account_id, parent_id, name.trim())
        .await
        .map(|_| ())
}

#[tauri::command]
pub async fn folder_rename(
    state: State<'_, AppState>,
    folder_id: FolderId,
    name: String,
) -> CmdResult<()> {
    state
        .engine
        .rename_folder(folder_id, name.trim())
        .await
        .map(|_| ())
}

#[tauri::command]
pub async fn folder_delete(
    state: State<'_, AppState>,
    folder_id: FolderId,
    force: bool,
) -> CmdResult<()> {
    state.engine.delete_folder(folder_id, force).await
}

#[tauri::command]
pub async fn folder_subscribe(
    state: State<'_, AppState>,
    folder_id: FolderId,
    subscribed: bool,
) -> CmdResult<()> {
    state.engine.set_subscribed(folder_id, subscribed).await
}
