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
use tauri::{Emitter, Manager, Url, WebviewUrl, WebviewWindowBuilder};
use tern_engine::credentials::{CommandOr, Keyring};
use tern_engine::{Engine, EngineOptions};

/// The event a click on a link in mail raises, carrying the URL the frame asked to open.
const LINK_EVENT: &str = "tern://link";

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
        // A link clicked in mail is a new-window request from the sandboxed frame (every link
        // there has target=_blank and an opaque reference for its href). Nothing opens here:
        // the window is told, and the UI decides with the message's link list (browser after a
        // check, compose for mailto, a refusal, or a confirmation when the text lies).
        .on_new_window(move |url, _| {
            let _ = handle.emit_to("main", LINK_EVENT, url.as_str());
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

/// Stack for the async runtime's threads. Hostile mail nests MIME as deep as the server will
/// describe (Dovecot sends BODYSTRUCTUREs 100 levels deep) and the IMAP response parser recurses
/// once per level. With Tokio's default 2 MiB, a debug build once died of a worker's stack
/// overflow right after syncing the hostile corpus (tests/hostile), most likely there.
const WORKER_STACK: usize = 16 * 1024 * 1024;

pub fn run() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Tern could not start its async runtime: {e}");
            std::process::exit(1);
        }
    };
    tauri::async_runtime::set(runtime.handle().clone());
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
            mail::mailto_parse,
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

    /// The window's capability and CSP, read from the config the app is built with.
    #[test]
    fn the_window_gets_exactly_its_commands_and_a_strict_csp() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
        let security = &conf["app"]["security"];
        let csp = &security["csp"];
        let script = csp["script-src"].as_str().unwrap();
        assert_eq!(script, "'self'", "no inline script, no eval");
        assert_eq!(csp["default-src"], "'self'");
        assert_eq!(csp["object-src"], "'none'");
        assert_eq!(csp["base-uri"], "'none'");
        assert_eq!(csp["form-action"], "'none'");
        assert_eq!(security["freezePrototype"], true);
        assert_eq!(conf["app"]["withGlobalTauri"], false);
        let caps = security["capabilities"].as_array().unwrap();
        assert_eq!(caps.len(), 1, "one capability, for the main window");
        let granted: Vec<String> = caps[0]["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        // The commands the build script declares (one permission each), as written there.
        let build = include_str!("build.rs");
        let list = &build[build.find("&[").unwrap()..build.find("];").unwrap()];
        let mut declared: Vec<String> = list
            .split('"')
            .skip(1)
            .step_by(2)
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        declared.extend(["core:event:allow-listen", "core:event:allow-unlisten"].map(String::from));
        let mut g = granted.clone();
        g.sort();
        declared.sort();
        assert_eq!(
            g, declared,
            "granted permissions are the app's commands and event listening"
        );
    }

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
