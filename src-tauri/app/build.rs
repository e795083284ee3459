//! Build script: Tauri's code generation, with a permission per command so the window's
//! capability can name exactly the commands the UI uses.

/// Every command the shell registers; keep in step with `lib.rs` and `tauri.conf.json`.
const COMMANDS: &[&str] = &[
    "accounts_list",
    "account_test",
    "account_add",
    "account_update",
    "account_remove",
    "folders_list",
    "messages_list",
    "messages_count",
    "message_open",
    "remote_content_allow",
    "attachment_save",
    "attachment_open",
    "link_open",
    "mailto_parse",
    "sync_now",
    "status",
    "search",
    "search_count",
    "search_server",
    "threads_list",
    "threads_count",
    "thread_messages",
    "flags_set",
    "messages_move",
    "messages_archive",
    "messages_junk",
    "messages_delete",
    "action_undo",
    "pending_status",
    "failure_dismiss",
    "folder_create",
    "folder_rename",
    "folder_delete",
    "folder_subscribe",
    "draft_for",
    "draft_open",
    "draft_save",
    "draft_discard",
    "message_send",
    "send_cancel",
    "outbox_list",
    "address_suggest",
    "attachment_pick",
    "attachment_stage",
    "ui_state_get",
    "ui_state_set",
    "viewing",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
