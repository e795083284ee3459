//! Accounts and settings: the part of the cache that can never be rebuilt from a server.

use super::Store;
use crate::account::{Account, AccountConfig, AccountId};
use crate::error::{Error, ErrorKind, Result};
use rusqlite::{params, OptionalExtension};

impl Store {
    pub fn add_account(&self, config: &AccountConfig) -> Result<AccountId> {
        let json = to_json(config)?;
        self.write(|c| {
            c.execute(
                "INSERT INTO accounts (email, config) VALUES (?1, ?2)",
                params![config.email, json],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    pub fn update_account(&self, id: AccountId, config: &AccountConfig) -> Result<()> {
        let json = to_json(config)?;
        let n = self.write(|c| {
            c.execute(
                "UPDATE accounts SET email = ?2, config = ?3 WHERE id = ?1",
                params![id, config.email, json],
            )
        })?;
        if n == 0 {
            return Err(not_found(id));
        }
        Ok(())
    }

    /// Removes the account and, through foreign keys, its folders, messages and bodies.
    pub fn remove_account(&self, id: AccountId) -> Result<()> {
        let n = self.write(|c| c.execute("DELETE FROM accounts WHERE id = ?1", [id]))?;
        if n == 0 {
            return Err(not_found(id));
        }
        Ok(())
    }

    pub fn accounts(&self) -> Result<Vec<Account>> {
        let rows: Vec<(i64, String)> = self.read(|c| {
            let mut s = c.prepare_cached("SELECT id, config FROM accounts ORDER BY id")?;
            let rows = s
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>();
            rows
        })?;
        rows.into_iter()
            .map(|(id, json)| from_json(id, &json))
            .collect()
    }

    pub fn account(&self, id: AccountId) -> Result<Account> {
        let json: Option<String> = self.read(|c| {
            c.query_row("SELECT config FROM accounts WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
        })?;
        match json {
            Some(j) => from_json(id, &j),
            None => Err(not_found(id)),
        }
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| {
            c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|c| {
            c.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
        })
    }
}

fn to_json(config: &AccountConfig) -> Result<String> {
    serde_json::to_string(config).map_err(|e| {
        Error::new(
            ErrorKind::Storage,
            format!("Encoding account settings: {e}"),
        )
    })
}

fn from_json(id: AccountId, json: &str) -> Result<Account> {
    let config = serde_json::from_str(json).map_err(|e| {
        Error::new(
            ErrorKind::Storage,
            format!("Account {id} has unreadable settings: {e}"),
        )
    })?;
    Ok(Account { id, config })
}

fn not_found(id: AccountId) -> Error {
    Error::new(ErrorKind::NotFound, format!("There is no account {id}"))
}
