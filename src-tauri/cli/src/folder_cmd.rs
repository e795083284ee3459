//! `tern folder create | rename | delete | subscribe | unsubscribe`: changes to the folder
//! tree, made on the server at once (they need a connection).

use crate::output::Out;
use crate::read::resolve_one;
use anyhow::{bail, Result};
use clap::Subcommand;
use tern_engine::{Account, Engine};

#[derive(Subcommand)]
pub enum FolderCmd {
    /// Create a folder, at the top or under --parent.
    Create {
        name: String,
        /// The parent folder (name or role).
        #[arg(long)]
        parent: Option<String>,
        #[arg(long, short)]
        account: Option<String>,
    },
    /// Rename a folder in place; NEW_NAME is its new last part.
    Rename {
        folder: String,
        new_name: String,
        #[arg(long, short)]
        account: Option<String>,
    },
    /// Delete a folder on the server. One with messages or subfolders needs --force.
    Delete {
        folder: String,
        /// Delete it with its messages and subfolders.
        #[arg(long)]
        force: bool,
        #[arg(long, short)]
        account: Option<String>,
    },
    /// Subscribe to a folder.
    Subscribe {
        folder: String,
        #[arg(long, short)]
        account: Option<String>,
    },
    /// Unsubscribe from a folder.
    Unsubscribe {
        folder: String,
        #[arg(long, short)]
        account: Option<String>,
    },
}

/// The named account, or the only one.
fn account(engine: &Engine, key: Option<&str>) -> Result<Account> {
    match key {
        Some(k) => resolve_one(engine, k),
        None => {
            let mut all = engine.accounts()?;
            if all.len() != 1 {
                bail!("Which account? Add --account");
            }
            Ok(all.remove(0))
        }
    }
}

pub async fn run(engine: &Engine, cmd: FolderCmd, out: &Out) -> Result<()> {
    let (done, folder) = match cmd {
        FolderCmd::Create {
            name,
            parent,
            account: a,
        } => {
            let a = account(engine, a.as_deref())?;
            let parent = match parent {
                Some(p) => Some(engine.store().find_folder(a.id, &p)?.id),
                None => None,
            };
            let f = engine.create_folder(a.id, parent, &name).await?;
            ("Created", f.display_name)
        }
        FolderCmd::Rename {
            folder,
            new_name,
            account: a,
        } => {
            let a = account(engine, a.as_deref())?;
            let f = engine.store().find_folder(a.id, &folder)?;
            let f = engine.rename_folder(f.id, &new_name).await?;
            ("Renamed to", f.display_name)
        }
        FolderCmd::Delete {
            folder,
            force,
            account: a,
        } => {
            let a = account(engine, a.as_deref())?;
            let f = engine.store().find_folder(a.id, &folder)?;
            engine.delete_folder(f.id, force).await?;
            ("Deleted", f.display_name)
        }
        FolderCmd::Subscribe { folder, account: a } => {
            subscribe(engine, &folder, a.as_deref(), true).await?
        }
        FolderCmd::Unsubscribe { folder, account: a } => {
            subscribe(engine, &folder, a.as_deref(), false).await?
        }
    };
    let v = serde_json::json!({ "done": done, "folder": folder });
    out.emit(&v, || format!("{done} {folder}"));
    Ok(())
}

async fn subscribe(
    engine: &Engine,
    folder: &str,
    key: Option<&str>,
    on: bool,
) -> Result<(&'static str, String)> {
    let a = account(engine, key)?;
    let f = engine.store().find_folder(a.id, folder)?;
    engine.set_subscribed(f.id, on).await?;
    let done = if on {
        "Subscribed to"
    } else {
        "Unsubscribed from"
    };
    Ok((done, f.display_name))
}
