//! What the UI remembers (last folder and message) and tells the shell (what is on screen).

use super::CmdResult;
use crate::state::{lock, AppState};
use tauri::State;
use tern_engine::{Error, ErrorKind, FolderId};

const UI_STATE: &str = "ui-state";

#[tauri::command]
pub fn ui_state_get(state: State<'_, AppState>) -> CmdResult<serde_json::Value> {
    let saved = state.engine.store().setting(UI_STATE)?;
    Ok(saved
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| serde_json::json!({ "folder_id": null, "message_id": null })))
}

#[tauri::command]
pub fn ui_state_set(app_state: State<'_, AppState>, state: serde_json::Value) -> CmdResult<()> {
    if !state.is_object() {
        return Err(Error::new(
            ErrorKind::Config,
            "The UI state must be an object",
        ));
    }
    app_state
        .engine
        .store()
        .set_setting(UI_STATE, &state.to_string())
}

/// The folder now on screen (`None` = the unified inbox).
#[tauri::command]
pub fn viewing(state: State<'_, AppState>, folder_id: Option<FolderId>) -> CmdResult<()> {
    *lock(&state.viewing) = Some(folder_id);
    Ok(())
}
