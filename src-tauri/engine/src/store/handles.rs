//! Handles: where the server holds a message that queued actions still act on, kept current
//! by replay and settled into the message's row when the last action using it ends (see
//! `pending.rs` for the design). Everything here runs inside the caller's transaction.

use super::folders::refresh_counts;
use super::pending::Touched;
use crate::account::AccountId;
use crate::folder::FolderId;
use crate::message::MessageId;
use crate::pending::HandleId;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// Where the server holds a message, as far as replay has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle {
    pub id: HandleId,
    pub account: AccountId,
    /// The folder's server name.
    pub folder: String,
    pub uidvalidity: u32,
    /// 0 when not known: a copy not made yet, or a message that is gone.
    pub uid: u32,
    /// Message-ID without angle brackets, to find the message again without COPYUID.
    pub message_id: String,
    /// The cache row showing the message; 0 when none (deleted for good).
    pub row: MessageId,
    /// For a copy not made yet: the handle of the original.
    pub source: HandleId,
    /// The last queued operation using this handle.
    pub last_op: i64,
    /// A COPY or APPEND making this message was sent; its result was not recorded.
    pub sent: bool,
}

/// A new place for a handle after a server command; `None` when the message is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub account: AccountId,
    pub folder: String,
    pub uidvalidity: u32,
    pub uid: u32,
}

const COLUMNS: &str =
    "id, account_id, folder, uidvalidity, uid, message_id, row_id, source, last_op, sent";

fn handle_row(r: &Row<'_>) -> rusqlite::Result<Handle> {
    Ok(Handle {
        id: r.get(0)?,
        account: r.get(1)?,
        folder: r.get(2)?,
        uidvalidity: r.get(3)?,
        uid: r.get(4)?,
        message_id: r.get(5)?,
        row: r.get(6)?,
        source: r.get(7)?,
        last_op: r.get(8)?,
        sent: r.get(9)?,
    })
}

pub(super) fn load(c: &Connection, id: HandleId) -> rusqlite::Result<Option<Handle>> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM handles WHERE id = ?1"))?
        .query_row([id], handle_row)
        .optional()
}

/// The handle of a cache row, if queued actions still act on it.
pub(super) fn of_row(c: &Connection, row: MessageId) -> rusqlite::Result<Option<Handle>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM handles WHERE row_id = ?1 ORDER BY id DESC LIMIT 1"
    ))?
    .query_row([row], handle_row)
    .optional()
}

pub(super) fn insert(c: &Connection, h: &Handle) -> rusqlite::Result<HandleId> {
    c.prepare_cached(
        "INSERT INTO handles (account_id, folder, uidvalidity, uid, message_id, row_id, source, last_op, sent)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        h.account,
        h.folder,
        h.uidvalidity,
        h.uid,
        h.message_id,
        h.row,
        h.source,
        h.last_op,
        h.sent
    ])?;
    Ok(c.last_insert_rowid())
}

pub(super) fn set_last_op(c: &Connection, ids: &[HandleId], op: i64) -> rusqlite::Result<()> {
    let mut s = c.prepare_cached("UPDATE handles SET last_op = ?2 WHERE id = ?1")?;
    for id in ids {
        s.execute(params![id, op])?;
    }
    Ok(())
}

/// The account whose queue holds the handle's last operation, if that is still queued: new
/// actions on the message go to the same queue, so they replay after it.
pub(super) fn queue_of(c: &Connection, h: &Handle) -> rusqlite::Result<Option<AccountId>> {
    c.prepare_cached("SELECT account_id FROM pending_ops WHERE id = ?1")?
        .query_row([h.last_op], |r| r.get(0))
        .optional()
}

/// Records where a server command left the message (`None`: it is gone).
pub(super) fn place(c: &Connection, id: HandleId, to: Option<&Place>) -> rusqlite::Result<()> {
    match to {
        Some(p) => c.prepare_cached(
            "UPDATE handles SET account_id = ?2, folder = ?3, uidvalidity = ?4, uid = ?5, sent = 0 WHERE id = ?1",
        )?
        .execute(params![id, p.account, p.folder, p.uidvalidity, p.uid]),
        None => c
            .prepare_cached("UPDATE handles SET uid = 0, sent = 0 WHERE id = ?1")?
            .execute([id]),
    }
    .map(|_| ())
}

/// Asks the next sync of a folder to fetch every UID it lacks, and all flags, again.
pub(super) fn mark_rescan(
    c: &Connection,
    account: AccountId,
    folder: &str,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE folders SET rescan = 1, highestmodseq = 0 WHERE account_id = ?1 AND name = ?2",
    )?
    .execute(params![account, folder])
    .map(|_| ())
}

/// The cached folder with this server name: (id, uidvalidity).
pub(super) fn folder_by_name(
    c: &Connection,
    account: AccountId,
    name: &str,
) -> rusqlite::Result<Option<(FolderId, u32)>> {
    c.prepare_cached("SELECT id, uidvalidity FROM folders WHERE account_id = ?1 AND name = ?2")?
        .query_row(params![account, name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

pub(super) fn folder_account(c: &Connection, folder: FolderId) -> rusqlite::Result<AccountId> {
    c.prepare_cached("SELECT account_id FROM folders WHERE id = ?1")?
        .query_row([folder], |r| r.get(0))
}

/// Settles the handles of a finished operation that no later operation uses.
pub(super) fn settle_op(
    c: &Connection,
    op: i64,
    ids: &[HandleId],
    t: &mut Touched,
) -> rusqlite::Result<()> {
    for id in ids {
        if let Some(h) = load(c, *id)? {
            if h.last_op == op {
                settle(c, &h, t)?;
            }
        }
    }
    Ok(())
}

/// Settles handles whose last operation is no longer queued (cancelled, or removed with its
/// account), so no row stays provisional for ever.
pub(super) fn settle_orphans(c: &Connection, t: &mut Touched) -> rusqlite::Result<()> {
    let orphans: Vec<Handle> = c
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM handles h
             WHERE NOT EXISTS (SELECT 1 FROM pending_ops p WHERE p.id = h.last_op)"
        ))?
        .query_map([], handle_row)?
        .collect::<rusqlite::Result<_>>()?;
    for h in orphans {
        settle(c, &h, t)?;
    }
    Ok(())
}

/// Makes the handle's row show what the server has: its real UID in the folder the handle
/// names (where it moved, or where it stayed if the action failed), or no row if the message
/// is gone. Then drops the handle.
pub(super) fn settle(c: &Connection, h: &Handle, t: &mut Touched) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM handles WHERE id = ?1")?
        .execute([h.id])?;
    if h.row == 0 {
        return Ok(());
    }
    let Some((row_folder, row_uid)): Option<(FolderId, i64)> = c
        .prepare_cached("SELECT folder_id, uid FROM messages WHERE id = ?1")?
        .query_row([h.row], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
    else {
        return Ok(());
    };
    let target = match folder_by_name(c, h.account, &h.folder)? {
        Some((id, uv)) if h.uid != 0 && uv == h.uidvalidity => Some(id),
        // A folder never synced (just created) learns its UIDVALIDITY from COPYUID, so its
        // first sync keeps this row instead of starting the folder afresh.
        Some((id, 0)) if h.uid != 0 && h.uidvalidity != 0 => {
            c.prepare_cached(
                "UPDATE folders SET uidvalidity = ?2 WHERE id = ?1 AND uidvalidity = 0",
            )?
            .execute(params![id, h.uidvalidity])?;
            Some(id)
        }
        // A cache that knows another UIDVALIDITY cannot place the UID; a rescan will.
        _ => None,
    };
    let Some(folder) = target else {
        // Gone, or somewhere the cache cannot place it: a rescan of the folder it was last
        // known in corrects the cache either way.
        remove_row(c, h.row, row_folder, t)?;
        mark_rescan(c, h.account, &h.folder)?;
        return Ok(());
    };
    // A row already showing that UID (a sync that got there first) gives way to this one,
    // which keeps the id the UI knows.
    let other: Option<MessageId> = c
        .prepare_cached("SELECT id FROM messages WHERE folder_id = ?1 AND uid = ?2 AND id <> ?3")?
        .query_row(params![folder, h.uid, h.row], |r| r.get(0))
        .optional()?;
    if let Some(other) = other {
        remove_row(c, other, folder, t)?;
    }
    if row_folder == folder {
        if row_uid != h.uid as i64 {
            c.prepare_cached("UPDATE messages SET uid = ?2 WHERE id = ?1")?
                .execute(params![h.row, h.uid])?;
            let account = folder_account(c, folder)?;
            t.messages.entry((account, folder)).or_default().push(h.row);
        }
    } else {
        c.prepare_cached("UPDATE messages SET folder_id = ?2, uid = ?3 WHERE id = ?1")?
            .execute(params![h.row, folder, h.uid])?;
        let from = folder_account(c, row_folder)?;
        t.removed.entry((from, row_folder)).or_default().push(h.row);
        let to = folder_account(c, folder)?;
        t.added.entry((to, folder)).or_default().push(h.row);
        refresh_counts(c, row_folder)?;
    }
    refresh_counts(c, folder)?;
    Ok(())
}

fn remove_row(
    c: &Connection,
    row: MessageId,
    folder: FolderId,
    t: &mut Touched,
) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM messages WHERE id = ?1")?
        .execute([row])?;
    let account = folder_account(c, folder)?;
    t.removed.entry((account, folder)).or_default().push(row);
    refresh_counts(c, folder)
}

/// UIDs of a folder that handles hold: messages on their way elsewhere (shown in another
/// folder's row) or arrived here but not yet settled. Sync must not add them as new.
pub(super) fn held_uids(
    c: &Connection,
    account: AccountId,
    folder: &str,
) -> rusqlite::Result<Vec<u32>> {
    c.prepare_cached("SELECT uid FROM handles WHERE account_id = ?1 AND folder = ?2 AND uid > 0")?
        .query_map(params![account, folder], |r| r.get(0))?
        .collect()
}
