//! What the shell keeps between commands: the engine, the keyring, and what the user sees.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tern_engine::credentials::Keyring;
use tern_engine::{AccountId, Engine, Error, FolderId, MessageId};

/// The keyring service name passwords are filed under (the same as the CLI's).
pub const KEYRING_SERVICE: &str = "org.tern.mail";

/// Connection state of an account, for the status bar.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AccountStatus {
    pub account: AccountId,
    pub online: bool,
    pub syncing: bool,
    pub error: Option<Error>,
}

pub struct AppState {
    pub engine: Arc<Engine>,
    pub keyring: Keyring,
    /// The folder on screen (`None` = unified inbox), so mail already in view raises no
    /// notification.
    pub viewing: Mutex<Option<Option<FolderId>>>,
    pub status: Mutex<HashMap<AccountId, AccountStatus>>,
    /// Messages whose remote content the user allowed once (until the app quits).
    pub remote_once: Mutex<HashSet<MessageId>>,
}

impl AppState {
    pub fn new(engine: Arc<Engine>) -> AppState {
        AppState {
            engine,
            keyring: Keyring::new(KEYRING_SERVICE),
            viewing: Mutex::new(None),
            status: Mutex::new(HashMap::new()),
            remote_once: Mutex::new(HashSet::new()),
        }
    }
}

/// Locks a mutex, tolerating poisoning (the guarded data stays valid).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
