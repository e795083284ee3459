//! Writing mail: reply/forward drafts prefilled by the engine, drafts kept locally and in the
//! Drafts folder, sending through the outbox with the undo delay, address suggestions, and
//! attachments picked or dropped (staged under the app's cache directory).

use super::CmdResult;
use crate::state::AppState;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;
use tern_engine::compose::guess_mime;
use tern_engine::message::Address;
use tern_engine::mime::safe_filename;
use tern_engine::{
    Content, Draft, DraftAttachment, DraftId, Error, ErrorKind, MessageId, OutboxId, OutboxItem,
    ReplyKind,
};

/// The longest undo-send delay the UI offers.
const MAX_DELAY_SECONDS: u64 = 30;

/// A draft with the id it is kept under (`None` until first saved).
#[derive(Debug, Serialize)]
pub struct DraftView {
    pub id: Option<DraftId>,
    pub draft: Draft,
}

/// An attachment as the compose pane lists it: the engine's, plus its size.
#[derive(Debug, Serialize)]
pub struct Staged {
    #[serde(flatten)]
    pub attachment: DraftAttachment,
    pub size: u64,
}

#[tauri::command]
pub async fn draft_for(
    state: State<'_, AppState>,
    message_id: MessageId,
    kind: String,
) -> CmdResult<DraftView> {
    let draft = match kind.as_str() {
        "reply" => {
            state
                .engine
                .reply_draft(message_id, ReplyKind::Sender)
                .await?
        }
        "reply-all" => state.engine.reply_draft(message_id, ReplyKind::All).await?,
        "forward" => state.engine.forward_draft(message_id, false).await?,
        "forward-attachment" => state.engine.forward_draft(message_id, true).await?,
        other => {
            return Err(Error::new(
                ErrorKind::Config,
                format!("Unknown kind of draft: {other}"),
            ))
        }
    };
    Ok(DraftView { id: None, draft })
}

#[tauri::command]
pub async fn draft_open(state: State<'_, AppState>, message_id: MessageId) -> CmdResult<DraftView> {
    let (id, draft) = state.engine.open_draft(message_id).await?;
    Ok(DraftView {
        id: Some(id),
        draft,
    })
}

#[tauri::command]
pub fn draft_save(
    state: State<'_, AppState>,
    id: Option<DraftId>,
    draft: Draft,
) -> CmdResult<DraftId> {
    state.engine.save_draft(id, &draft)
}

#[tauri::command]
pub fn draft_discard(state: State<'_, AppState>, id: DraftId) -> CmdResult<()> {
    state.engine.delete_draft(id)
}

#[tauri::command]
pub fn message_send(
    state: State<'_, AppState>,
    draft_id: Option<DraftId>,
    draft: Draft,
    delay_seconds: u64,
) -> CmdResult<OutboxId> {
    let delay = Duration::from_secs(delay_seconds.min(MAX_DELAY_SECONDS));
    state.engine.send(&draft, draft_id, delay)
}

/// Takes a message back from the outbox into a draft, and returns it to edit.
#[tauri::command]
pub fn send_cancel(state: State<'_, AppState>, id: OutboxId) -> CmdResult<DraftView> {
    let draft_id = state.engine.cancel_send(id)?;
    Ok(DraftView {
        id: Some(draft_id),
        draft: state.engine.draft(draft_id)?,
    })
}

#[tauri::command]
pub fn outbox_list(state: State<'_, AppState>) -> CmdResult<Vec<OutboxItem>> {
    state.engine.outbox(None)
}

#[tauri::command]
pub fn address_suggest(state: State<'_, AppState>, prefix: String) -> CmdResult<Vec<Address>> {
    Ok(state
        .engine
        .suggest_addresses(&prefix, 8)?
        .into_iter()
        .map(|s| s.address)
        .collect())
}

fn staged(path: PathBuf) -> CmdResult<Staged> {
    let size = std::fs::metadata(&path)
        .map_err(|e| Error::new(ErrorKind::Storage, format!("{}: {e}", path.display())))?
        .len();
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "attachment".into());
    Ok(Staged {
        attachment: DraftAttachment {
            mime: guess_mime(&filename).to_string(),
            filename,
            content: Content::Path(path.to_string_lossy().into_owned()),
        },
        size,
    })
}

/// Files to attach, from the system's file picker (nothing when cancelled).
#[tauri::command]
pub async fn attachment_pick(app: AppHandle) -> CmdResult<Vec<Staged>> {
    let picked = app
        .dialog()
        .file()
        .blocking_pick_files()
        .unwrap_or_default();
    picked
        .into_iter()
        .map(|p| {
            p.into_path()
                .map_err(|e| Error::new(ErrorKind::Config, format!("Cannot attach that: {e}")))
                .and_then(staged)
        })
        .collect()
}

/// A file dropped on the compose pane: its bytes (the raw request body) are written under the
/// app's cache directory, with a safe name, and attached from there.
#[tauri::command]
pub fn attachment_stage(app: AppHandle, request: tauri::ipc::Request<'_>) -> CmdResult<Staged> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(Error::new(ErrorKind::Config, "Expected the file's bytes"));
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    // The UI sends the name through `encodeURIComponent` (headers carry ASCII only).
    let name = tern_engine::links::percent_decode(&header("x-name"));
    let dir = app
        .path()
        .app_cache_dir()
        .map_err(|e| Error::new(ErrorKind::Storage, format!("No cache directory: {e}")))?
        .join("outgoing")
        .join(format!("{}", std::process::id()))
        .join(format!(
            "{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::new(ErrorKind::Storage, format!("{}: {e}", dir.display())))?;
    let path = dir.join(safe_filename(&name));
    std::fs::write(&path, bytes)
        .map_err(|e| Error::new(ErrorKind::Storage, format!("{}: {e}", path.display())))?;
    let mut s = staged(path)?;
    let mime = header("x-mime");
    if !mime.is_empty() && mime.contains('/') && !mime.contains(['\r', '\n']) {
        s.attachment.mime = mime;
    }
    Ok(s)
}
