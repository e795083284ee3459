//! The Tern desktop app's entry point.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // WebKitGTK's accelerated compositing keeps GPU-style layers for the whole page in the
    // web process: about 60 MiB more at idle with the INBOX shown (measured under Xvfb by
    // tests/bench/app-start.mjs: its anonymous memory 100 -> 40 MiB), for nothing a mail
    // client's lists and text need. It also avoids the blank window some GPU drivers give.
    // Set before any thread starts; a value the user set wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    tern_app::run();
}
