//! The Tern desktop app: a Tauri shell that hosts the web UI, registers thin commands over
//! the engine, forwards its events, raises notifications and keeps passwords in the keyring.

mod commands;
mod forward;
mod notify;
mod state;

use commands::{accounts, act, find, mail, ui, write};
use state::{AppState, KEYRING_SERVICE};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::webview::NewWindowResponse;
use tauri::{Manager, Url, WebviewUrl, WebviewWindowBuilder};
use tern_engine::credentials::{CommandOr, Keyring};
use tern_engine::{Engine, EngineOptions};

/// The profile directory: `TERN_DATA_DIR` when set (tests, the demo), else the OS's app data dir.
fn data_dir(app: &tauri::App) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(d) = std::env::var_os("TERN_DATA_DIR") {
        return Ok(PathBuf::from(d));
    }
    Ok(app.path().app_data_dir()?)
}

/// The webview may only show the app itself; anything else would be a page from the network.
fn is_app_url(url: &Url) -> bool {
    match url.scheme() {
        "tauri" | "about" => true,
        "http" | "https" => {
            let host = url.host_str().unwrap_or("");
            host == "tauri.localhost"
                || (cfg!(debug_assertions) && host == "localhost" && url.port() == Some(5173))
        }
        _ => false,
    }
}

fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let dir = data_dir(app)?;
    let creds = Arc::new(CommandOr(Keyring::new(KEYRING_SERVICE)));
    let engine = Arc::new(Engine::open(&dir, creds, EngineOptions::default())?);
    app.manage(AppState::new(engine.clone()));

    let handle = app.handle().clone();
    WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
        .title("Tern")
        .inner_size(1200.0, 800.0)
        .min_inner_size(480.0, 360.0)
        // HTML5 drag and drop (messages onto folders, files onto a message being written)
        // instead of the shell's own file-drop handling, which would swallow it on Windows.
        .disable_drag_drop_handler()
        .on_navigation(is_app_url)
        // Links in mail open with target=_blank from a sandboxed frame: send web and mail
        // links to the system browser, never open a window inside the app.
        .on_new_window(move |url, _| {
            if mail::check_link(url.as_str()).is_ok() {
                use tauri_plugin_opener::OpenerExt;
                let _ = handle.opener().open_url(url.as_str(), None::<&str>);
            }
            NewWindowResponse::Deny
        })
        .build()?;

    forward::spawn(app.handle().clone(), engine.clone());
    tauri::async_runtime::spawn(async move {
        if let Err(e) = engine.start_all() {
            tracing::error!("could not start the accounts: {e}");
        }
    });
    Ok(())
}

pub fn run() {
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(setup)
        .invoke_handler(tauri::generate_handler![
            accounts::accounts_list,
            accounts::account_test,
            accounts::account_add,
            accounts::account_update,
            accounts::account_remove,
            mail::folders_list,
            mail::messages_list,
            mail::messages_count,
            mail::message_open,
            mail::remote_content_allow,
            mail::attachment_save,
            mail::attachment_open,
            mail::link_open,
            mail::sync_now,
            mail::status,
            find::search,
            find::search_count,
            find::search_server,
            find::threads_list,
            find::threads_count,
            find::thread_messages,
            find::flags_set,
            act::messages_move,
            act::messages_archive,
            act::messages_junk,
            act::messages_delete,
            act::action_undo,
            act::pending_status,
            act::failure_dismiss,
            act::folder_create,
            act::folder_rename,
            act::folder_delete,
            act::folder_subscribe,
            write::draft_for,
            write::draft_open,
            write::draft_save,
            write::draft_discard,
            write::message_send,
            write::send_cancel,
            write::outbox_list,
            write::address_suggest,
            write::attachment_pick,
            write::attachment_stage,
            ui::ui_state_get,
            ui::ui_state_set,
            ui::viewing,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Tern could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::is_app_url;
    use tauri::Url;

    #[test]
    fn the_webview_stays_on_the_app() {
        assert!(is_app_url(
            &Url::parse("tauri://localhost/index.html").unwrap()
        ));
        assert!(is_app_url(&Url::parse("http://tauri.localhost/").unwrap()));
        assert!(is_app_url(&Url::parse("about:srcdoc").unwrap()));
        assert!(!is_app_url(
            &Url::parse("https://tracker.example/x").unwrap()
        ));
        assert!(!is_app_url(&Url::parse("file:///etc/passwd").unwrap()));
    }
}
