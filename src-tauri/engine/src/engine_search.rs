//! The engine's API for finding mail and reading conversations: local search over the
//! cache's full-text index, IMAP SEARCH as the fallback for mail whose body is not cached,
//! and threads.

use crate::account::AccountId;
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::folder::{Folder, FolderId};
use crate::message::MessageSummary;
use crate::search::{self, Kind, SearchHit, Source};
use crate::thread::{ThreadId, ThreadSummary};

/// A server search returns at most this many messages, the newest (highest UIDs) first.
const MAX_SERVER_HITS: usize = 1000;

fn parse(query: &str) -> Result<search::Query> {
    search::parse(query).map_err(|e| Error::new(ErrorKind::Config, e.0))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Engine {
    /// Messages in the cache matching `query` (see [`crate::search::query`] for the
    /// language), in `scope` or every folder, best first. Never waits on the network.
    pub fn search(
        &self,
        query: &str,
        scope: Option<FolderId>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<SearchHit>> {
        let q = parse(query)?;
        self.store().search(&q, scope, now(), offset, limit)
    }

    /// How many cached messages match `query` (in `scope` or every folder).
    pub fn search_count(&self, query: &str, scope: Option<FolderId>) -> Result<u64> {
        let q = parse(query)?;
        self.store().search_count(&q, scope)
    }

    /// Asks the server (UID SEARCH) in `folder`, or in every folder of the account, for
    /// messages matching `query`, newest first. Hits whose body is not cached are marked
    /// [`Source::Server`]: the local index could not have found them. Messages the cache
    /// does not know yet (not synced) are left out, as is a folder whose UIDVALIDITY changed
    /// since its last sync.
    pub async fn search_server(
        &self,
        account: AccountId,
        folder: Option<FolderId>,
        query: &str,
    ) -> Result<Vec<SearchHit>> {
        let q = parse(query)?;
        let asked = search::imap::criteria(&q);
        let store = self.store().clone();
        let mut folders: Vec<Folder> = match folder {
            Some(id) => {
                let f = store.folder(id)?;
                if f.account_id != account {
                    return Err(Error::new(
                        ErrorKind::NotFound,
                        format!("Folder {id} is not in account {account}"),
                    ));
                }
                vec![f]
            }
            None => store
                .folders(account)?
                .into_iter()
                .filter(|f| f.selectable)
                .collect(),
        };
        // in: and account: narrow the folders searched, as they narrow a local search.
        for t in &q.terms {
            if matches!(t.kind, Kind::In(_) | Kind::Account(_)) {
                let named = store.folders_named(&t.kind)?;
                folders.retain(|f| named.contains(&f.id) != t.negated);
            }
        }
        if folders.is_empty() {
            return Ok(Vec::new());
        }

        let mut conn = self.ctx(store.account(account)?).connect().await?;
        let mut found = Vec::new();
        let mut outcome = Ok(());
        for f in &folders {
            let sel = match conn.select(&f.name).await {
                Ok(s) => s,
                Err(e) => {
                    outcome = Err(Error::from(e));
                    break;
                }
            };
            if store.sync_state(f.id)?.uidvalidity != sel.uidvalidity {
                tracing::info!(folder = %f.display_name, "skipped by server search: not synced under its UIDVALIDITY");
                continue;
            }
            match conn.uid_search(&asked.args).await {
                Ok(uids) => found.extend(store.cached_uids(f.id, &uids)?),
                Err(e) => {
                    outcome = Err(Error::from(e));
                    break;
                }
            }
        }
        conn.logout().await;
        outcome?;

        let ids: Vec<_> = found.iter().map(|(id, _)| *id).collect();
        let mut hits: Vec<SearchHit> = store
            .summaries(&ids)?
            .into_iter()
            .zip(found.iter().map(|(_, body)| *body))
            .filter(|(m, _)| {
                asked
                    .attachment
                    .is_none_or(|want| m.has_attachments == want)
            })
            .map(|(m, body)| {
                let source = if body { Source::Local } else { Source::Server };
                SearchHit::plain(m, source)
            })
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse((h.message.date, h.message.id)));
        hits.truncate(MAX_SERVER_HITS);
        Ok(hits)
    }

    /// A page of conversations with mail in `folder` (every account's INBOX when `None`),
    /// by their newest message; each spans all folders, so replies from Sent count.
    pub fn threads(
        &self,
        folder: Option<FolderId>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<ThreadSummary>> {
        let folders = match folder {
            Some(f) => vec![f],
            None => self.inbox_folders()?,
        };
        self.store().threads(&folders, offset, limit)
    }

    /// How many conversations have mail in `folder` (every account's INBOX when `None`).
    pub fn thread_count(&self, folder: Option<FolderId>) -> Result<u32> {
        let folders = match folder {
            Some(f) => vec![f],
            None => self.inbox_folders()?,
        };
        self.store().thread_count(&folders)
    }

    /// A conversation's messages in every folder, oldest first.
    pub fn thread_messages(&self, thread: ThreadId) -> Result<Vec<MessageSummary>> {
        self.store().thread_messages(thread)
    }

    /// Rebuilds the full-text index (repair; sync keeps it current by itself).
    pub fn rebuild_search_index(&self) -> Result<()> {
        self.store().rebuild_search_index()
    }
}
