//! Finding mail and reading conversations: local search, the server fallback, threads, and
//! flag changes that apply to whole conversations.

use super::CmdResult;
use crate::state::AppState;
use std::collections::HashSet;
use tauri::State;
use tern_engine::{FolderId, MessageId, MessageSummary, SearchHit, ThreadId, ThreadSummary};

/// Local hits compared with a server search, so the server adds only what the index missed.
const MERGE_WINDOW: u32 = 5000;

/// The query the engine runs: searching "this folder" while the unified inbox is shown means
/// every account's INBOX, which the `in:` operator names by role.
fn scoped(
    query: &str,
    folder_id: Option<FolderId>,
    everywhere: bool,
) -> (String, Option<FolderId>) {
    match (everywhere, folder_id) {
        (true, _) => (query.to_string(), None),
        (false, Some(f)) => (query.to_string(), Some(f)),
        (false, None) => (format!("in:inbox {query}"), None),
    }
}

#[tauri::command]
pub fn search(
    state: State<'_, AppState>,
    query: String,
    folder_id: Option<FolderId>,
    everywhere: bool,
    offset: u32,
    limit: u32,
) -> CmdResult<Vec<SearchHit>> {
    let (q, scope) = scoped(&query, folder_id, everywhere);
    state.engine.search(&q, scope, offset, limit.min(1000))
}

#[tauri::command]
pub fn search_count(
    state: State<'_, AppState>,
    query: String,
    folder_id: Option<FolderId>,
    everywhere: bool,
) -> CmdResult<u64> {
    let (q, scope) = scoped(&query, folder_id, everywhere);
    state.engine.search_count(&q, scope)
}

/// Asks the servers (IMAP SEARCH) and returns only what the local search did not find,
/// newest first, each marked with where it came from.
#[tauri::command]
pub async fn search_server(
    state: State<'_, AppState>,
    query: String,
    folder_id: Option<FolderId>,
    everywhere: bool,
) -> CmdResult<Vec<SearchHit>> {
    let (q, scope) = scoped(&query, folder_id, everywhere);
    let local: HashSet<MessageId> = state
        .engine
        .search(&q, scope, 0, MERGE_WINDOW)?
        .into_iter()
        .map(|h| h.message.id)
        .collect();
    let targets = match scope {
        Some(f) => vec![(state.engine.store().folder(f)?.account_id, Some(f))],
        None => state
            .engine
            .accounts()?
            .into_iter()
            .map(|a| (a.id, None))
            .collect(),
    };
    let mut out = Vec::new();
    for (account, folder) in targets {
        let hits = state.engine.search_server(account, folder, &q).await?;
        out.extend(hits.into_iter().filter(|h| !local.contains(&h.message.id)));
    }
    out.sort_by_key(|h| std::cmp::Reverse((h.message.date, h.message.id)));
    Ok(out)
}

#[tauri::command]
pub fn threads_list(
    state: State<'_, AppState>,
    folder_id: Option<FolderId>,
    offset: u32,
    limit: u32,
) -> CmdResult<Vec<ThreadSummary>> {
    state.engine.threads(folder_id, offset, limit.min(1000))
}

#[tauri::command]
pub fn threads_count(state: State<'_, AppState>, folder_id: Option<FolderId>) -> CmdResult<u32> {
    state.engine.thread_count(folder_id)
}

#[tauri::command]
pub fn thread_messages(
    state: State<'_, AppState>,
    thread_id: ThreadId,
) -> CmdResult<Vec<MessageSummary>> {
    state.engine.thread_messages(thread_id)
}

/// Adds and removes flags on messages and on every message of whole conversations, at once
/// in the cache and queued for the server.
#[tauri::command]
pub fn flags_set(
    state: State<'_, AppState>,
    ids: Vec<MessageId>,
    thread_ids: Vec<ThreadId>,
    add: u32,
    remove: u32,
) -> CmdResult<()> {
    let mut all = ids;
    for t in thread_ids {
        all.extend(state.engine.thread_messages(t)?.into_iter().map(|m| m.id));
    }
    state.engine.set_flags(&all, add, remove)
}

#[cfg(test)]
mod tests {
    use super::scoped;

    #[test]
    fn this_folder_in_the_unified_inbox_means_every_inbox() {
        assert_eq!(scoped("a", Some(3), false), ("a".into(), Some(3)));
        assert_eq!(scoped("a", Some(3), true), ("a".into(), None));
        assert_eq!(scoped("a", None, false), ("in:inbox a".into(), None));
        assert_eq!(scoped("a", None, true), ("a".into(), None));
    }
}
