//! Folders (IMAP mailboxes) and their special-use roles (RFC 6154).

use serde::{Deserialize, Serialize};

/// The row id of a cached folder.
pub type FolderId = i64;

/// What a folder is for. Special-use folders are listed first, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Inbox,
    Drafts,
    Sent,
    Archive,
    Junk,
    Trash,
    All,
    Flagged,
    /// An ordinary folder.
    #[serde(rename = "")]
    None,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Inbox => "inbox",
            Role::Drafts => "drafts",
            Role::Sent => "sent",
            Role::Archive => "archive",
            Role::Junk => "junk",
            Role::Trash => "trash",
            Role::All => "all",
            Role::Flagged => "flagged",
            Role::None => "",
        }
    }

    pub fn parse(s: &str) -> Role {
        match s {
            "inbox" => Role::Inbox,
            "drafts" => Role::Drafts,
            "sent" => Role::Sent,
            "archive" => Role::Archive,
            "junk" => Role::Junk,
            "trash" => Role::Trash,
            "all" => Role::All,
            "flagged" => Role::Flagged,
            _ => Role::None,
        }
    }
}

/// A folder as the cache holds it, with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    pub id: FolderId,
    pub account_id: i64,
    /// The name as the server knows it (modified UTF-7), used in commands.
    pub name: String,
    /// The decoded name, for people.
    pub display_name: String,
    /// The hierarchy delimiter, empty for a flat namespace.
    pub delimiter: String,
    pub role: Role,
    pub subscribed: bool,
    pub selectable: bool,
    pub total: u32,
    pub unread: u32,
}

impl Folder {
    /// The last component of the display name (what a tree shows).
    pub fn leaf_name(&self) -> &str {
        match self.delimiter.chars().next() {
            Some(d) => self
                .display_name
                .rsplit(d)
                .next()
                .unwrap_or(&self.display_name),
            None => &self.display_name,
        }
    }

    /// How deep in the hierarchy the folder sits (0 for top level).
    pub fn depth(&self) -> usize {
        match self.delimiter.chars().next() {
            Some(d) => self.display_name.matches(d).count(),
            None => 0,
        }
    }
}

/// A folder as LIST reports it, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub delimiter: String,
    pub role: Role,
    pub subscribed: bool,
    pub selectable: bool,
}

/// The sync state of a folder, compared with STATUS to decide what to fetch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncState {
    pub uidvalidity: u32,
    pub uidnext: u32,
    pub highestmodseq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, delim: &str) -> Folder {
        Folder {
            id: 1,
            account_id: 1,
            name: name.into(),
            display_name: name.into(),
            delimiter: delim.into(),
            role: Role::None,
            subscribed: true,
            selectable: true,
            total: 0,
            unread: 0,
        }
    }

    #[test]
    fn hierarchy_follows_delimiter() {
        assert_eq!(folder("Lists/rust/announce", "/").leaf_name(), "announce");
        assert_eq!(folder("Lists/rust/announce", "/").depth(), 2);
        assert_eq!(folder("Lists.rust", ".").depth(), 1);
        assert_eq!(folder("Lists/rust", "").depth(), 0);
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::Inbox, Role::Sent, Role::Trash, Role::None] {
            assert_eq!(Role::parse(r.as_str()), r);
        }
        assert!(Role::Inbox < Role::Drafts && Role::Trash < Role::None);
    }
}
