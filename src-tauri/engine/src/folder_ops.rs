//! Folder management: create, rename, delete, subscribe. These run online, not through the
//! queue of pending actions: they change the names every queued action refers to, they can
//! be refused for reasons the user must see at once (a name taken, a folder with children),
//! and they are rare. So the account's worker first replays the queue (no queued action may
//! name a folder that is about to change), then runs the command, then re-reads LIST so the
//! tree and its events follow.

use crate::error::{Error, ErrorKind, Result};
use crate::events::Event;
use crate::folder::Folder;
use crate::imap::ops::Conn;
use crate::imap::utf7;
use crate::worker::Ctx;

/// A change to the folder tree, by server names (modified UTF-7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderOp {
    Create {
        name: String,
    },
    Rename {
        from: String,
        to: String,
    },
    /// Refused with [`ErrorKind::NotEmpty`] when the folder holds messages or subfolders,
    /// unless `force`.
    Delete {
        name: String,
        force: bool,
    },
    Subscribe {
        name: String,
        on: bool,
    },
}

impl Ctx {
    /// Carries out a folder change on `conn`, after the queued actions.
    pub async fn folder_op(&self, conn: &mut Conn, op: &FolderOp) -> Result<()> {
        self.replay(conn).await?;
        let account = self.account.id;
        match op {
            FolderOp::Create { name } => {
                conn.create_folder(name).await?;
                // A folder made here is meant to be seen: subscribe it, as other clients do.
                conn.subscribe(name, true).await?;
            }
            FolderOp::Rename { from, to } => {
                let tree = self.tree(from)?;
                conn.rename_folder(from, to).await?;
                self.store.rename_folders(account, from, to)?;
                // Subscriptions are by name and do not follow a RENAME (RFC 3501 §6.3.5).
                for f in tree.iter().filter(|f| f.subscribed) {
                    let new = format!("{to}{}", &f.name[from.len()..]);
                    let _ = conn.subscribe(&f.name, false).await;
                    conn.subscribe(&new, true).await?;
                }
            }
            FolderOp::Delete { name, force } => {
                let mut tree = self.tree(name)?;
                if !force {
                    if tree.len() > 1 {
                        return Err(not_empty(format!("{} has subfolders", utf7::decode(name))));
                    }
                    let n = conn.status(name).await?.exists;
                    if n > 0 {
                        return Err(not_empty(format!(
                            "{} holds {n} message{}",
                            utf7::decode(name),
                            if n == 1 { "" } else { "s" }
                        )));
                    }
                }
                // Deepest first: a parent with children may not be deletable (RFC 3501
                // §6.3.4).
                tree.sort_by_key(|f| std::cmp::Reverse(f.name.len()));
                for f in &tree {
                    conn.delete_folder(&f.name).await?;
                    let _ = conn.subscribe(&f.name, false).await;
                }
            }
            FolderOp::Subscribe { name, on } => conn.subscribe(name, *on).await?,
        }
        self.syncer(conn).refresh_folders().await?;
        // A rename already changed the cached rows, so the LIST above may find nothing new
        // to announce: tell listeners the tree changed in any case.
        self.events.send(Event::FoldersChanged { account });
        Ok(())
    }

    /// The cached folder `name` and its subfolders.
    fn tree(&self, name: &str) -> Result<Vec<Folder>> {
        Ok(self
            .store
            .folders(self.account.id)?
            .into_iter()
            .filter(|f| {
                f.name == name
                    || (!f.delimiter.is_empty()
                        && f.name
                            .strip_prefix(name)
                            .is_some_and(|r| r.starts_with(&f.delimiter)))
            })
            .collect())
    }
}

fn not_empty(msg: String) -> Error {
    Error::new(ErrorKind::NotEmpty, msg)
}
