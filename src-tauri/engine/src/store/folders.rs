//! Folders in the cache: the LIST result, per-folder sync state and counts.

use super::Store;
use crate::error::{Error, ErrorKind, Result};
use crate::folder::{Folder, FolderId, Listed, Role, SyncState};
use crate::imap::utf7;
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str =
    "id, account_id, name, display_name, delimiter, role, subscribed, selectable, total, unread";

fn folder_row(r: &Row<'_>) -> rusqlite::Result<Folder> {
    Ok(Folder {
        id: r.get(0)?,
        account_id: r.get(1)?,
        name: r.get(2)?,
        display_name: r.get(3)?,
        delimiter: r.get(4)?,
        role: Role::parse(&r.get::<_, String>(5)?),
        subscribed: r.get(6)?,
        selectable: r.get(7)?,
        total: r.get(8)?,
        unread: r.get(9)?,
    })
}

impl Store {
    /// Makes the cached folder list match LIST: new folders are added, attributes updated,
    /// and folders gone from the server removed with their messages. One transaction.
    pub fn replace_folders(&self, account: i64, listed: &[Listed]) -> Result<()> {
        self.write(|c| {
            let tx = c.transaction()?;
            {
                let mut upsert = tx.prepare_cached(
                    "INSERT INTO folders (account_id, name, display_name, delimiter, role, subscribed, selectable)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (account_id, name) DO UPDATE SET
                       display_name = excluded.display_name, delimiter = excluded.delimiter,
                       role = excluded.role, subscribed = excluded.subscribed, selectable = excluded.selectable",
                )?;
                for f in listed {
                    upsert.execute(params![
                        account,
                        f.name,
                        utf7::decode(&f.name),
                        f.delimiter,
                        f.role.as_str(),
                        f.subscribed,
                        f.selectable
                    ])?;
                }
                let names: Vec<&str> = listed.iter().map(|f| f.name.as_str()).collect();
                let existing: Vec<(i64, String)> = {
                    let mut s = tx.prepare_cached("SELECT id, name FROM folders WHERE account_id = ?1")?;
                    let rows = s.query_map([account], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
                    rows
                };
                for (id, name) in existing {
                    if !names.contains(&name.as_str()) {
                        tx.execute("DELETE FROM folders WHERE id = ?1", [id])?;
                    }
                }
            }
            tx.commit()
        })
    }

    /// Adds INBOX to an account that has no folders yet, before the first LIST: every
    /// server has it (RFC 3501 §5.1), and LIST then fills in its attributes.
    pub fn add_inbox(&self, account: i64) -> Result<Folder> {
        self.write(|c| {
            c.prepare_cached(
                "INSERT OR IGNORE INTO folders (account_id, name, display_name, delimiter, role, subscribed, selectable)
                 VALUES (?1, 'INBOX', 'INBOX', '', ?2, 1, 1)",
            )?
            .execute(params![account, Role::Inbox.as_str()])
            .map(|_| ())
        })?;
        self.find_folder(account, "INBOX")
    }

    /// An account's folders: special-use first (inbox, drafts, sent, ...), then by name.
    pub fn folders(&self, account: i64) -> Result<Vec<Folder>> {
        let mut v = self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM folders WHERE account_id = ?1"
            ))?;
            let rows = s
                .query_map([account], folder_row)?
                .collect::<rusqlite::Result<Vec<_>>>();
            rows
        })?;
        v.sort_by(|a, b| {
            (a.role, a.display_name.to_lowercase()).cmp(&(b.role, b.display_name.to_lowercase()))
        });
        Ok(v)
    }

    pub fn folder(&self, id: FolderId) -> Result<Folder> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM folders WHERE id = ?1"),
                [id],
                folder_row,
            )
            .optional()
        })?
        .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("There is no folder {id}")))
    }

    /// Finds a folder by its server name, or by its decoded name, or by role name ("inbox").
    pub fn find_folder(&self, account: i64, name: &str) -> Result<Folder> {
        let all = self.folders(account)?;
        all.iter()
            .find(|f| f.name == name)
            .or_else(|| all.iter().find(|f| f.display_name == name))
            .or_else(|| {
                all.iter()
                    .find(|f| f.role != Role::None && f.role.as_str().eq_ignore_ascii_case(name))
            })
            .or_else(|| {
                all.iter()
                    .find(|f| f.display_name.eq_ignore_ascii_case(name))
            })
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("There is no folder named '{name}'"),
                )
            })
    }

    /// Follows a RENAME on the server: the folder and its subfolders keep their rows (and
    /// messages) under the new names. One transaction.
    pub fn rename_folders(&self, account: i64, from: &str, to: &str) -> Result<()> {
        let all = self.folders(account)?;
        self.write(|c| {
            let tx = c.transaction()?;
            for f in &all {
                let rest = if f.name == from {
                    Some("")
                } else {
                    f.name
                        .strip_prefix(from)
                        .filter(|r| !f.delimiter.is_empty() && r.starts_with(&f.delimiter))
                };
                if let Some(rest) = rest {
                    let name = format!("{to}{rest}");
                    tx.execute(
                        "UPDATE folders SET name = ?2, display_name = ?3 WHERE id = ?1",
                        params![f.id, name, utf7::decode(&name)],
                    )?;
                }
            }
            tx.commit()
        })
    }

    pub fn sync_state(&self, folder: FolderId) -> Result<SyncState> {
        self.read(|c| {
            c.query_row(
                "SELECT uidvalidity, uidnext, highestmodseq FROM folders WHERE id = ?1",
                [folder],
                |r| {
                    Ok(SyncState {
                        uidvalidity: r.get(0)?,
                        uidnext: r.get(1)?,
                        highestmodseq: r.get::<_, i64>(2)? as u64,
                    })
                },
            )
        })
    }

    /// Records the state reached after a complete sync of the folder (which also did any
    /// rescan it was asked for).
    pub fn set_sync_state(&self, folder: FolderId, s: SyncState) -> Result<()> {
        self.write(|c| {
            c.execute(
                "UPDATE folders SET uidvalidity = ?2, uidnext = ?3, highestmodseq = ?4, rescan = 0, synced_at = unixepoch() WHERE id = ?1",
                params![folder, s.uidvalidity, s.uidnext, s.highestmodseq as i64],
            )
            .map(|_| ())
        })
    }

    /// Drops every cached message of a folder whose UIDVALIDITY changed (RFC 3501 §2.3.1.1),
    /// and starts its state afresh under the new value. One transaction.
    pub fn reset_folder(&self, folder: FolderId, uidvalidity: u32) -> Result<()> {
        self.write(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM messages WHERE folder_id = ?1", [folder])?;
            tx.execute(
                "UPDATE folders SET uidvalidity = ?2, uidnext = 0, highestmodseq = 0, total = 0, unread = 0 WHERE id = ?1",
                params![folder, uidvalidity],
            )?;
            tx.commit()
        })
    }
}

/// Recomputes a folder's total and unread counts inside the caller's transaction.
pub(super) fn refresh_counts(c: &Connection, folder: FolderId) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE folders SET
           total = (SELECT count(*) FROM messages WHERE folder_id = ?1),
           unread = (SELECT count(*) FROM messages WHERE folder_id = ?1 AND (flags & 1) = 0)
         WHERE id = ?1",
    )?
    .execute([folder])
    .map(|_| ())
}
