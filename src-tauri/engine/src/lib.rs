//! Tern's mail engine: IMAP accounts mirrored into a local SQLite cache, with events for
//! whoever shows them. It has no UI dependency; the CLI and the desktop app sit on top.

pub mod account;
pub mod compose;
pub mod credentials;
pub mod drafts;
mod engine;
mod engine_actions;
mod engine_compose;
mod engine_search;
pub mod error;
pub mod events;
pub mod filename;
pub mod folder;
mod folder_ops;
#[doc(hidden)]
pub mod harness;
pub mod html_depth;
pub mod imap;
pub mod links;
pub mod message;
pub mod mime;
pub mod outbox;
pub mod pending;
pub mod render;
mod replay;
pub mod reply;
pub mod sanitize;
pub mod search;
pub mod smtp;
pub mod store;
pub mod suggest;
pub mod sync;
pub mod thread;
pub mod tls;
mod worker;

pub use account::{Account, AccountConfig, AccountId, Security, Server, Trust};
pub use compose::{Content, Draft, DraftAttachment, Origin, OriginKind};
pub use credentials::Credentials;
pub use engine::{Engine, CACHE_FILE};
pub use engine_actions::{Action, UndoId};
pub use error::{Error, ErrorKind, Result};
pub use events::{Event, Events, NewMailItem};
pub use folder::{Folder, FolderId, Role};
pub use message::{MessageDetail, MessageId, MessageSummary};
pub use pending::{FailedOp, Op, PendingOp};
pub use reply::ReplyKind;
pub use search::{SearchHit, Source};
pub use store::{DraftId, DraftInfo, OutboxId, OutboxItem, OutboxState, UndoRecord};
pub use suggest::Suggestion;
pub use sync::{SyncOptions, SyncReport};
pub use thread::{ThreadId, ThreadSummary};
pub use worker::EngineOptions;
