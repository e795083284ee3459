//! Reading mail: folders, pages of messages, the reader, attachments and links.

use super::CmdResult;
use crate::state::{lock, AccountStatus, AppState};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;
use tern_engine::links::Mailto;
use tern_engine::render::MessageView;
use tern_engine::{AccountId, Error, ErrorKind, Folder, FolderId, MessageId, MessageSummary};

#[tauri::command]
pub fn folders_list(state: State<'_, AppState>) -> CmdResult<Vec<Folder>> {
    let mut all = Vec::new();
    for a in state.engine.accounts()? {
        all.extend(state.engine.folders(a.id)?);
    }
    Ok(all)
}

/// The folders behind a folder key: one folder, or every INBOX for the unified inbox.
fn folders_of(state: &AppState, folder_id: Option<FolderId>) -> CmdResult<Vec<FolderId>> {
    match folder_id {
        Some(id) => Ok(vec![id]),
        None => state.engine.inbox_folders(),
    }
}

#[tauri::command]
pub fn messages_list(
    state: State<'_, AppState>,
    folder_id: Option<FolderId>,
    offset: u32,
    limit: u32,
) -> CmdResult<Vec<MessageSummary>> {
    let folders = folders_of(&state, folder_id)?;
    if folders.is_empty() {
        return Ok(Vec::new());
    }
    state
        .engine
        .store()
        .list_many(&folders, offset, limit.min(1000))
}

#[tauri::command]
pub fn messages_count(state: State<'_, AppState>, folder_id: Option<FolderId>) -> CmdResult<u32> {
    state.engine.store().count(&folders_of(&state, folder_id)?)
}

#[tauri::command]
pub async fn message_open(state: State<'_, AppState>, id: MessageId) -> CmdResult<MessageView> {
    let once = lock(&state.remote_once).contains(&id);
    state.engine.open_message(id, once).await
}

#[tauri::command]
pub async fn remote_content_allow(
    state: State<'_, AppState>,
    id: MessageId,
    always: bool,
) -> CmdResult<MessageView> {
    if always {
        let m = state.engine.store().summaries(&[id])?;
        if let Some(from) = m.first().and_then(|m| m.from.as_ref()) {
            state.engine.allow_remote_always(&from.email)?;
        }
    } else {
        lock(&state.remote_once).insert(id);
    }
    state.engine.open_message(id, true).await
}

/// Asks where to save (native dialog, name already made safe) and writes the file there.
#[tauri::command]
pub async fn attachment_save(
    app: AppHandle,
    state: State<'_, AppState>,
    message_id: MessageId,
    index: u32,
) -> CmdResult<Option<String>> {
    let (name, _mime, bytes) = state.engine.attachment(message_id, index).await?;
    let Some(path) = app
        .dialog()
        .file()
        .set_file_name(&name)
        .blocking_save_file()
    else {
        return Ok(None);
    };
    let path = path
        .into_path()
        .map_err(|e| Error::new(ErrorKind::Config, format!("Cannot save there: {e}")))?;
    std::fs::write(&path, &bytes).map_err(|e| {
        Error::new(
            ErrorKind::Storage,
            format!("Could not save {}: {e}", path.display()),
        )
    })?;
    Ok(Some(path.to_string_lossy().into_owned()))
}

/// Writes the attachment to the app's cache and hands it to the OS, after an explicit click.
#[tauri::command]
pub async fn attachment_open(
    app: AppHandle,
    state: State<'_, AppState>,
    message_id: MessageId,
    index: u32,
) -> CmdResult<()> {
    use tauri::Manager;
    let (name, _mime, bytes) = state.engine.attachment(message_id, index).await?;
    let dir = app
        .path()
        .app_cache_dir()
        .map_err(|e| Error::new(ErrorKind::Storage, format!("No cache directory: {e}")))?
        .join("attachments")
        .join(message_id.to_string());
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::new(
            ErrorKind::Storage,
            format!("Could not create {}: {e}", dir.display()),
        )
    })?;
    let path = dir.join(&name);
    std::fs::write(&path, &bytes).map_err(|e| {
        Error::new(
            ErrorKind::Storage,
            format!("Could not write {}: {e}", path.display()),
        )
    })?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("The system could not open {name}: {e}"),
            )
        })
}

/// Only web links leave the app, and only with a host: `mailto:` opens Tern's own compose (in
/// the UI), and anything else (file:, smb:, javascript:, custom schemes) is refused.
fn check_link(url: &str) -> CmdResult<tauri::Url> {
    let refused = |what: &str| {
        Error::new(
            ErrorKind::Refused,
            format!("Tern opens only web links in the browser, not {what}"),
        )
    };
    let parsed = tauri::Url::parse(url.trim()).map_err(|_| refused("this link"))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(parsed),
        "http" | "https" => Err(refused("a link without a host")),
        other => Err(refused(&format!("'{other}:' links"))),
    }
}

/// Opens a web link in the system browser, after the UI has shown the user any mismatch
/// between a link's text and its target.
#[tauri::command]
pub fn link_open(app: AppHandle, url: String) -> CmdResult<()> {
    let url = check_link(&url)?;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("The system could not open the link: {e}"),
            )
        })
}

/// The fields a `mailto:` URL may fill in a new message (the engine's restricted parser: no
/// attachments, no headers beyond to/cc/subject/body).
#[tauri::command]
pub fn mailto_parse(url: String) -> CmdResult<Mailto> {
    Mailto::parse(&url).map_err(|e| Error::new(ErrorKind::Refused, e))
}

#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>, account_id: Option<AccountId>) -> CmdResult<()> {
    let ids: Vec<AccountId> = match account_id {
        Some(id) => vec![id],
        None => state.engine.accounts()?.into_iter().map(|a| a.id).collect(),
    };
    for id in ids {
        state.engine.start(id)?;
        state.engine.sync(id).await?;
    }
    Ok(())
}

#[tauri::command]
pub fn status(state: State<'_, AppState>) -> CmdResult<Vec<AccountStatus>> {
    let known = lock(&state.status).clone();
    Ok(state
        .engine
        .accounts()?
        .into_iter()
        .map(|a| {
            known.get(&a.id).cloned().unwrap_or(AccountStatus {
                account: a.id,
                ..AccountStatus::default()
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::check_link;

    #[test]
    fn only_web_links_open() {
        for ok in [
            "https://example.org/x",
            "http://a.b",
            "HTTPS://X.Y",
            " https://x.y/ ",
        ] {
            assert!(check_link(ok).is_ok(), "{ok}");
        }
        for bad in [
            "mailto:a@b.c",
            "file:///etc/passwd",
            "smb://host/share",
            "javascript:alert(1)",
            "ftp://x",
            "custom:thing",
            "https",
            "https:",
            "",
        ] {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }
}
