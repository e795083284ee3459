//! Tauri commands, grouped by area. Each parses its arguments, calls the engine and maps
//! the error; the logic lives in the engine.

pub mod accounts;
pub mod act;
pub mod find;
pub mod mail;
pub mod ui;
pub mod write;

/// Every command returns this: the engine's error serializes as `{kind, message, ...}`.
pub type CmdResult<T> = Result<T, tern_engine::Error>;
