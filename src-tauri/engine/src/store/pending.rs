//! The pending-operation queue in the cache, and local effects applied with it atomically.

use super::folders::refresh_counts;
use super::Store;
use crate::account::AccountId;
use crate::error::{Error, ErrorKind, Result};
use crate::folder::FolderId;
use crate::message::MessageId;
use crate::pending::{Op, PendingOp};
use rusqlite::{params, OptionalExtension};
use std::collections::BTreeMap;

/// What a local change touched, for events.
#[derive(Debug, Default, Clone)]
pub struct Touched {
    /// (account, folder) -> message ids changed there.
    pub messages: BTreeMap<(AccountId, FolderId), Vec<MessageId>>,
}

impl Store {
    /// Sets and clears flag bits on messages at once in the cache, and queues the same change
    /// for the server, in one transaction.
    pub fn queue_flags(&self, ids: &[MessageId], add: u32, remove: u32) -> Result<Touched> {
        self.write(|c| {
            let tx = c.transaction()?;
            let mut touched = Touched::default();
            let mut per_folder: BTreeMap<FolderId, (AccountId, String, u32, Vec<u32>)> = BTreeMap::new();
            {
                let mut find = tx.prepare_cached(
                    "SELECT m.folder_id, m.uid, f.account_id, f.name, f.uidvalidity
                     FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id = ?1",
                )?;
                let mut upd = tx.prepare_cached("UPDATE messages SET flags = (flags | ?2) & ~?3 WHERE id = ?1 AND flags <> ((flags | ?2) & ~?3)")?;
                for id in ids {
                    let Some((folder, uid, account, name, uidvalidity)) = find
                        .query_row([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?, r.get::<_, u32>(4)?)))
                        .optional()?
                    else {
                        continue;
                    };
                    if upd.execute(params![id, add, remove])? > 0 {
                        touched.messages.entry((account, folder)).or_default().push(*id);
                    }
                    // Queue even when the cache already shows the state: the server may not.
                    per_folder.entry(folder).or_insert_with(|| (account, name, uidvalidity, Vec::new())).3.push(uid);
                }
                let mut ins = tx.prepare_cached("INSERT INTO pending_ops (account_id, op) VALUES (?1, ?2)")?;
                for (folder, (account, name, uidvalidity, mut uids)) in per_folder {
                    uids.sort_unstable();
                    uids.dedup();
                    let op = Op::Flags { folder: name, uidvalidity, uids, add, remove };
                    let json = serde_json::to_string(&op).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                    ins.execute(params![account, json])?;
                    refresh_counts(&tx, folder)?;
                }
            }
            tx.commit()?;
            Ok(touched)
        })
    }

    /// The account's queued operations, oldest first.
    pub fn pending_ops(&self, account: AccountId) -> Result<Vec<PendingOp>> {
        let rows: Vec<(i64, String, u32, String)> = self.read(|c| {
            let mut s = c.prepare_cached("SELECT id, op, attempts, last_error FROM pending_ops WHERE account_id = ?1 ORDER BY id")?;
            let rows = s.query_map([account], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect();
            rows
        })?;
        rows.into_iter()
            .map(|(id, json, attempts, last_error)| {
                let op = serde_json::from_str(&json).map_err(|e| {
                    Error::new(
                        ErrorKind::Storage,
                        format!("Unreadable queued action {id}: {e}"),
                    )
                })?;
                Ok(PendingOp {
                    id,
                    account,
                    op,
                    attempts,
                    last_error,
                })
            })
            .collect()
    }

    /// How many actions wait for the server, per account.
    pub fn pending_count(&self, account: AccountId) -> Result<u32> {
        self.read(|c| {
            c.query_row(
                "SELECT count(*) FROM pending_ops WHERE account_id = ?1",
                [account],
                |r| r.get(0),
            )
        })
    }

    pub fn finish_op(&self, id: i64) -> Result<()> {
        self.write(|c| {
            c.execute("DELETE FROM pending_ops WHERE id = ?1", [id])
                .map(|_| ())
        })
    }

    pub fn fail_op(&self, id: i64, error: &str) -> Result<()> {
        self.write(|c| {
            c.execute(
                "UPDATE pending_ops SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
                params![id, error],
            )
            .map(|_| ())
        })
    }
}
