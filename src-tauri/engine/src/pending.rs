//! User actions waiting for the server. Each is stored with its local effect in one
//! transaction, replayed by the account's worker in order, and removed once the server has
//! it; a refusal drops it and lets the next sync put the server's state back.

use crate::account::AccountId;
use serde::{Deserialize, Serialize};

/// An action to carry out on the server. Folders are named as on the server, because the
/// operation must outlive the cache rows it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// Add and remove flag bits (see [`crate::message::flags`]) on messages of one folder.
    Flags {
        folder: String,
        uidvalidity: u32,
        uids: Vec<u32>,
        add: u32,
        remove: u32,
    },
}

/// A stored operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingOp {
    pub id: i64,
    pub account: AccountId,
    pub op: Op,
    pub attempts: u32,
    pub last_error: String,
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
        };
        let json = serde_json::to_string(&op).unwrap();
        assert!(json.starts_with(r#"{"flags":"#), "{json}");
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
        assert_eq!(flag_list(1 | 4), "\\Seen \\Flagged");
    }
}
