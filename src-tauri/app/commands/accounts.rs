//! Account commands: test, add, edit, remove. Passwords go to the OS keyring only.

use super::CmdResult;
use crate::state::AppState;
use tauri::State;
use tern_engine::{Account, AccountConfig, AccountId, Error, ErrorKind};

#[tauri::command]
pub fn accounts_list(state: State<'_, AppState>) -> CmdResult<Vec<Account>> {
    state.engine.accounts()
}

#[tauri::command]
pub async fn account_test(
    state: State<'_, AppState>,
    config: AccountConfig,
    password: String,
) -> CmdResult<()> {
    state.engine.test_login(&config, &password).await
}

/// Tests the connection, saves the account, stores the password in the keyring (never
/// anywhere else) and starts syncing.
#[tauri::command]
pub async fn account_add(
    state: State<'_, AppState>,
    config: AccountConfig,
    password: String,
) -> CmdResult<Account> {
    if config.password_command.is_none() {
        // Fail before touching the network when there is nowhere safe to keep the password.
        check_keyring(&state)?;
    }
    state.engine.test_login(&config, &password).await?;
    let id = state.engine.add_account(&config)?;
    let account = state.engine.account(id)?;
    if config.password_command.is_none() {
        if let Err(e) = state.keyring.store(&account, &password) {
            state.engine.remove_account(id)?;
            return Err(e);
        }
    }
    state.engine.start(id)?;
    Ok(account)
}

#[tauri::command]
pub async fn account_update(
    state: State<'_, AppState>,
    id: AccountId,
    config: AccountConfig,
    password: Option<String>,
) -> CmdResult<Account> {
    let old = state.engine.account(id)?;
    if let Some(p) = password.as_deref().filter(|p| !p.is_empty()) {
        state.engine.test_login(&config, p).await?;
        let account = Account {
            id,
            config: config.clone(),
        };
        state.keyring.store(&account, p)?;
        if tern_engine::credentials::keyring_user(&old)
            != tern_engine::credentials::keyring_user(&account)
        {
            state.keyring.forget(&old)?;
        }
    }
    state.engine.update_account(id, &config)?;
    state.engine.account(id)
}

#[tauri::command]
pub fn account_remove(state: State<'_, AppState>, id: AccountId) -> CmdResult<()> {
    let account = state.engine.account(id)?;
    state.engine.remove_account(id)?;
    crate::state::lock(&state.status).remove(&id);
    if account.config.password_command.is_none() {
        state.keyring.forget(&account)?;
    }
    Ok(())
}

fn check_keyring(state: &AppState) -> CmdResult<()> {
    state.keyring.available().map_err(|e| {
        Error::new(
            ErrorKind::Credentials,
            format!("{} Tern keeps passwords only in the system keyring, so the account cannot be saved.", e.message),
        )
    })
}
