//! Forwards engine events to the window in batches (at most one emit per 50 ms), keeps the
//! account status and the unread count in the title and badge, and raises notifications.

use crate::notify;
use crate::state::{lock, AccountStatus, AppState};
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};
use tern_engine::{Engine, Event, Role};

const BATCH_WINDOW: Duration = Duration::from_millis(50);
const BATCH_MAX: usize = 500;

pub fn spawn(app: AppHandle, engine: Arc<Engine>) {
    let mut events = engine.events();
    tauri::async_runtime::spawn(async move {
        update_unread(&app, &engine);
        while let Some(first) = events.recv().await {
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
            while batch.len() < BATCH_MAX {
                match tokio::time::timeout_at(deadline, events.recv()).await {
                    Ok(Some(e)) => batch.push(e),
                    _ => break,
                }
            }
            let mut counts_changed = false;
            for e in &batch {
                match e {
                    Event::SyncState {
                        account,
                        syncing,
                        online,
                    } => {
                        let state = app.state::<AppState>();
                        let mut status = lock(&state.status);
                        let s = status.entry(*account).or_insert_with(|| AccountStatus {
                            account: *account,
                            ..Default::default()
                        });
                        s.syncing = *syncing;
                        s.online = *online;
                        if *online {
                            s.error = None;
                        }
                    }
                    Event::AccountError { account, error } => {
                        let state = app.state::<AppState>();
                        let mut status = lock(&state.status);
                        let s = status.entry(*account).or_insert_with(|| AccountStatus {
                            account: *account,
                            ..Default::default()
                        });
                        s.error = Some(error.clone());
                        s.online = false;
                        s.syncing = false;
                    }
                    Event::NewMail {
                        account,
                        folder,
                        messages,
                    } => new_mail(&app, &engine, *account, *folder, messages),
                    Event::FolderCounts { .. }
                    | Event::MessagesRemoved { .. }
                    | Event::ResyncAll => counts_changed = true,
                    _ => {}
                }
            }
            if counts_changed {
                update_unread(&app, &engine);
            }
            let _ = app.emit("tern://events", &batch);
        }
    });
}

fn new_mail(
    app: &AppHandle,
    engine: &Engine,
    account: i64,
    folder: i64,
    messages: &[tern_engine::NewMailItem],
) {
    let Ok(acct) = engine.account(account) else {
        return;
    };
    if !acct.config.notify {
        return;
    }
    // No notification for mail the user is already looking at.
    let state = app.state::<AppState>();
    let viewing = *lock(&state.viewing);
    let focused = app
        .get_webview_window("main")
        .and_then(|w| w.is_focused().ok())
        .unwrap_or(false);
    if focused {
        let in_view = match viewing {
            Some(Some(f)) => f == folder,
            Some(None) => engine
                .store()
                .folder(folder)
                .map(|f| f.role == Role::Inbox)
                .unwrap_or(false),
            None => false,
        };
        if in_view {
            return;
        }
    }
    notify::show(app, notify::notes(messages));
}

/// Total unread mail in the inboxes, shown in the title and, where there is one, the badge.
fn update_unread(app: &AppHandle, engine: &Engine) {
    let Ok(inboxes) = engine.inbox_folders() else {
        return;
    };
    let unread: u32 = inboxes
        .iter()
        .filter_map(|f| engine.store().folder(*f).ok())
        .map(|f| f.unread)
        .sum();
    if let Some(w) = app.get_webview_window("main") {
        let title = if unread == 0 {
            "Tern".to_string()
        } else {
            format!("Tern — {unread} unread")
        };
        let _ = w.set_title(&title);
        let _ = w.set_badge_count(if unread == 0 {
            None
        } else {
            Some(unread as i64)
        });
    }
}
