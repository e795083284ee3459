//! User actions waiting for the server: the write path.
//!
//! Every action (flags, move, copy, delete, archive, junk) is applied to the cache and stored
//! as a pending operation in one transaction, so the list changes at once and the intent
//! survives a crash or an offline week. The account's worker replays the queue in order
//! before each sync (`replay.rs`) and removes each operation once the server has it.
//!
//! # Provisional messages and handles
//!
//! A moved message changes folder at once in the cache, but its UID in the new folder is only
//! known once the server has done the move (COPYUID, RFC 4315 §3). Until then its row keeps
//! its id (so selection, search and its conversation follow it) and gets a *provisional* UID:
//! the negative of its row id, unique in any folder and never a valid IMAP UID. Readers see
//! it as `uid == 0` ("not on the server here yet"); sync never looks at such rows.
//!
//! Where the server holds the message meanwhile is kept in a *handle* (table `handles`):
//! account, folder, UIDVALIDITY and UID as of the replay so far, the Message-ID, the row that
//! shows it, and the last queued operation that uses it. Operations name handles, not UIDs,
//! and replay moves the handle along with each server command it runs. So:
//!
//! - **Chained moves** (INBOX to A, then A to B, before any replay) queue two moves of one
//!   handle; replaying the first records the UID in A, the second moves it from there.
//! - **Move then undo before replay** cancels: the handle still points at the folder the
//!   message is being moved back to, so the move is taken out of its (not yet started)
//!   operation and the row gets its old UID back. The server is never touched.
//! - **Undo after replay** queues the inverse move from the UID recorded by COPYUID.
//! - **Sync of the destination before the replay** cannot duplicate the message: the server
//!   does not have it there yet, and once it does, the handle names that UID and sync skips
//!   UIDs held by handles (`Store::known_uids`). The worker also always replays before it
//!   syncs, under a per-account lock.
//! - **When the last operation using a handle ends**, the handle is *settled*: the row gets
//!   the handle's real UID in its folder (or, if the operation failed, goes back to where the
//!   handle says the server still has it), and the handle is dropped.
//!
//! # Replaying exactly once
//!
//! An operation is marked started before its first command is sent; only operations not yet
//! started can be changed by a cancel. Each step is idempotent or checked before a rerun:
//!
//! - MOVE (RFC 6851) of a UID that is gone does nothing; a handle already at the destination
//!   is skipped.
//! - COPY and APPEND are not idempotent, so a handle is marked `sent` before them. A rerun of
//!   a sent handle first looks for the message in the destination by Message-ID
//!   (`UID SEARCH HEADER Message-ID`) and adopts a UID it finds instead of copying again.
//!   A message without Message-ID may then be copied twice; it is never lost.
//! - Without COPYUID (no UIDPLUS, or a source UID already gone), the new UID is found the
//!   same way. If the message is not in the destination, another client expunged or moved it:
//!   the row is dropped and both folders are rescanned, which corrects the cache.
//!
//! A refusal (NO) is permanent: the operation is dropped, its handles settle back to where
//! the server has the messages, the failure is stored (`failed_ops`) and announced. Network
//! failures leave the operation queued and the worker retries after reconnecting, with
//! backoff; a BAD reply counts as permanent after a few attempts.

use crate::account::AccountId;
use crate::error::Error;
use crate::imap::utf7;
use serde::{Deserialize, Serialize};

/// The row id of a handle: where the server holds a message that queued actions act on.
pub type HandleId = i64;

/// How many times a non-network error (a BAD reply) is retried before it counts as final.
pub const MAX_ATTEMPTS: u32 = 5;

/// An action to carry out on the server. Folders are named as on the server, because the
/// operation must outlive the cache rows it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// Add and remove flag bits (see [`crate::message::flags`]): on `uids` of one folder,
    /// and on messages known by handle (whose UID a queued move will decide).
    Flags {
        folder: String,
        uidvalidity: u32,
        uids: Vec<u32>,
        add: u32,
        remove: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        handles: Vec<HandleId>,
    },
    /// Move messages to folder `to` of account `to_account`: MOVE within an account,
    /// APPEND then delete across accounts.
    Move {
        to_account: AccountId,
        to: String,
        handles: Vec<HandleId>,
    },
    /// Copy messages: each pair is (the original's handle, the copy's handle).
    Copy {
        to_account: AccountId,
        to: String,
        pairs: Vec<(HandleId, HandleId)>,
    },
    /// Delete for good: `\Deleted`, then UID EXPUNGE of exactly these messages.
    Expunge { handles: Vec<HandleId> },
}

impl Op {
    /// What the action does, for people ("Moving 3 messages to Archive").
    pub fn describe(&self) -> String {
        let n = |k: usize| {
            if k == 1 {
                "1 message".to_string()
            } else {
                format!("{k} messages")
            }
        };
        match self {
            Op::Flags {
                uids,
                handles,
                add,
                remove,
                ..
            } => {
                let mut words = Vec::new();
                for (bits, on) in [(*add, true), (*remove, false)] {
                    for name in crate::message::flags::names(bits) {
                        let plain = name.trim_start_matches(['\\', '$']).to_lowercase();
                        words.push(if on { plain } else { format!("not {plain}") });
                    }
                }
                format!(
                    "Marking {} {}",
                    n(uids.len() + handles.len()),
                    words.join(", ")
                )
            }
            Op::Move { to, handles, .. } => {
                format!("Moving {} to {}", n(handles.len()), utf7::decode(to))
            }
            Op::Copy { to, pairs, .. } => {
                format!("Copying {} to {}", n(pairs.len()), utf7::decode(to))
            }
            Op::Expunge { handles } => format!("Deleting {} for good", n(handles.len())),
        }
    }

    /// Every handle the operation uses.
    pub fn handles(&self) -> Vec<HandleId> {
        match self {
            Op::Flags { handles, .. } | Op::Move { handles, .. } | Op::Expunge { handles } => {
                handles.clone()
            }
            Op::Copy { pairs, .. } => pairs.iter().flat_map(|(a, b)| [*a, *b]).collect(),
        }
    }

    /// Whether nothing is left to do (after a cancel took its messages out).
    pub fn is_empty(&self) -> bool {
        match self {
            Op::Flags { uids, handles, .. } => uids.is_empty() && handles.is_empty(),
            Op::Move { handles, .. } | Op::Expunge { handles } => handles.is_empty(),
            Op::Copy { pairs, .. } => pairs.is_empty(),
        }
    }
}

/// A stored operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingOp {
    pub id: i64,
    pub account: AccountId,
    pub op: Op,
    /// What it does, for people.
    pub description: String,
    /// Its first command was sent (it can no longer be cancelled by an undo).
    pub started: bool,
    pub attempts: u32,
    /// The last transient failure, empty if none.
    pub last_error: String,
}

/// An operation the server refused for good. Its local change was undone; this stays until
/// the user dismisses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedOp {
    pub id: i64,
    pub account: AccountId,
    pub op: Op,
    pub description: String,
    pub error: Error,
    /// Unix seconds.
    pub created_at: i64,
}

/// `+FLAGS`/`-FLAGS` lists for a bit set, as IMAP names (RFC 3501 §6.4.6).
pub fn flag_list(bits: u32) -> String {
    crate::message::flags::names(bits).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_round_trip_as_json() {
        let op = Op::Flags {
            folder: "INBOX".into(),
            uidvalidity: 7,
            uids: vec![1, 2],
            add: 1,
            remove: 4,
            handles: vec![],
        };
        let json = serde_json::to_string(&op).unwrap();
        assert!(json.starts_with(r#"{"flags":"#), "{json}");
        assert!(!json.contains("handles"), "{json}");
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
        assert_eq!(flag_list(1 | 4), "\\Seen \\Flagged");
        // Flag operations queued by an older build (no handles) still read.
        let old = r#"{"flags":{"folder":"INBOX","uidvalidity":7,"uids":[1,2],"add":1,"remove":4}}"#;
        assert_eq!(serde_json::from_str::<Op>(old).unwrap(), op);
        let mv = Op::Move {
            to_account: 1,
            to: "Archive".into(),
            handles: vec![3, 4],
        };
        assert_eq!(
            serde_json::from_str::<Op>(&serde_json::to_string(&mv).unwrap()).unwrap(),
            mv
        );
    }

    #[test]
    fn descriptions_read_as_sentences() {
        let mv = Op::Move {
            to_account: 1,
            to: "Entw&APw-rfe".into(),
            handles: vec![3, 4],
        };
        assert_eq!(mv.describe(), "Moving 2 messages to Entwürfe");
        let fl = Op::Flags {
            folder: "INBOX".into(),
            uidvalidity: 1,
            uids: vec![1],
            add: 1,
            remove: 4,
            handles: vec![],
        };
        assert_eq!(fl.describe(), "Marking 1 message seen, not flagged");
        assert_eq!(
            Op::Expunge { handles: vec![1] }.describe(),
            "Deleting 1 message for good"
        );
    }
}
