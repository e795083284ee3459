//! The IMAP commands that act on mail: moving and copying with the new UIDs (UIDPLUS),
//! expunging exactly the chosen messages, APPEND, finding a message again by Message-ID,
//! and managing folders. Each has a deadline; callers select the source folder first.

use super::ops::Conn;
use super::raw::{self, Code};
use super::{seqset, untagged};
use crate::message::flags;
use anyhow::{Context, Result};
use async_imap::imap_proto::{AttributeValue, Response};

/// A message as fetched for an APPEND to another account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Original {
    /// Flags to carry over, as an IMAP flag list (without `\Recent` and `\Deleted`).
    pub flags: String,
    /// INTERNALDATE as the server wrote it, to keep the message's received date.
    pub internal_date: Option<String>,
    pub raw: Vec<u8>,
}

fn set(uids: &[u32]) -> String {
    let mut v = uids.to_vec();
    v.sort_unstable();
    v.dedup();
    seqset::format(&v)
}

impl Conn {
    /// Moves messages of the selected folder to `to` with MOVE (RFC 6851 §3.2; the caller
    /// checks the capability): one atomic command, whose COPYUID comes in an untagged OK
    /// before the expunges (§4.3). UIDs that no longer exist are skipped by the server, so
    /// a replayed move does nothing twice. Without MOVE, callers COPY, then
    /// [`Conn::expunge_uids`].
    pub async fn move_uids(&mut self, uids: &[u32], to: &str) -> Result<Code> {
        if uids.is_empty() {
            return Ok(Code::None);
        }
        let mut code = Code::None;
        let tagged = raw::command_code(
            &mut self.session,
            &format!("UID MOVE {} {}", set(uids), raw::quote(to)),
            self.t.command,
            |r| {
                if let Some(c) = untagged::copyuid(r) {
                    code = c;
                }
            },
        )
        .await
        .with_context(|| format!("Moving messages to {}", super::utf7::decode(to)))?;
        // Some servers put COPYUID on the tagged OK instead.
        Ok(if code == Code::None { tagged } else { code })
    }

    /// Copies messages of the selected folder to `to` (RFC 3501 §6.4.7), with COPYUID.
    pub async fn copy_uids(&mut self, uids: &[u32], to: &str) -> Result<Code> {
        if uids.is_empty() {
            return Ok(Code::None);
        }
        raw::command_code(
            &mut self.session,
            &format!("UID COPY {} {}", set(uids), raw::quote(to)),
            self.t.command,
            |_| {},
        )
        .await
        .with_context(|| format!("Copying messages to {}", super::utf7::decode(to)))
    }

    /// Removes exactly these messages from the selected folder: `\Deleted`, then UID EXPUNGE
    /// (RFC 4315 §2.1), never a plain EXPUNGE that would also remove messages another client
    /// marked `\Deleted`. Without UIDPLUS, a plain EXPUNGE (RFC 3501 §6.4.3) is sent only
    /// when UID SEARCH DELETED finds no other marked message; otherwise these stay marked
    /// `\Deleted` (hidden by other clients, gone at their next expunge) rather than risk
    /// someone else's mail.
    pub async fn expunge_uids(&mut self, uids: &[u32]) -> Result<()> {
        if uids.is_empty() {
            return Ok(());
        }
        let s = set(uids);
        raw::command(
            &mut self.session,
            &format!("UID STORE {s} +FLAGS.SILENT (\\Deleted)"),
            self.t.command,
            |_| {},
        )
        .await
        .context("Marking messages deleted")?;
        if self.caps.has("UIDPLUS") {
            return raw::command(
                &mut self.session,
                &format!("UID EXPUNGE {s}"),
                self.t.command,
                |_| {},
            )
            .await
            .context("Expunging messages");
        }
        let mut marked = Vec::new();
        raw::command(
            &mut self.session,
            "UID SEARCH DELETED",
            self.t.command,
            |r| untagged::search_into(r, &mut marked),
        )
        .await
        .context("Looking for deleted messages")?;
        if marked.iter().all(|u| uids.contains(u)) {
            raw::command(&mut self.session, "EXPUNGE", self.t.command, |_| {})
                .await
                .context("Expunging messages")?;
        } else {
            tracing::info!("Other messages are marked \\Deleted and the server lacks UIDPLUS; leaving ours marked, not expunged");
        }
        Ok(())
    }

    /// Adds a message to `folder` with its flags and received date; APPENDUID (RFC 4315 §3)
    /// when the server has UIDPLUS.
    pub async fn append(&mut self, folder: &str, m: &Original) -> Result<Code> {
        raw::append(
            &mut self.session,
            folder,
            &m.flags,
            m.internal_date.as_deref(),
            &m.raw,
            self.t.command,
        )
        .await
        .with_context(|| format!("Adding a message to {}", super::utf7::decode(folder)))
    }

    /// UIDs of the selected folder whose Message-ID header contains `message_id` (RFC 3501
    /// §6.4.4 HEADER): how a message is found again when the server gave no COPYUID.
    pub async fn find_message_id(&mut self, message_id: &str) -> Result<Vec<u32>> {
        if message_id.is_empty() || !message_id.is_ascii() {
            return Ok(Vec::new());
        }
        let mut uids = Vec::new();
        raw::command(
            &mut self.session,
            &format!("UID SEARCH HEADER Message-ID {}", raw::quote(message_id)),
            self.t.command,
            |r| untagged::search_into(r, &mut uids),
        )
        .await
        .context("Looking for a message by Message-ID")?;
        uids.sort_unstable();
        Ok(uids)
    }

    /// A message of the selected folder with its flags and INTERNALDATE, without setting
    /// `\Seen` (BODY.PEEK); `None` if the UID is gone.
    pub async fn fetch_original(&mut self, uid: u32) -> Result<Option<Original>> {
        let mut out = None;
        raw::command(
            &mut self.session,
            &format!("UID FETCH {uid} (UID FLAGS INTERNALDATE BODY.PEEK[])"),
            self.t.command,
            |r| {
                if let Response::Fetch(_, attrs) = r {
                    let mut m = Original::default();
                    let mut this = false;
                    for a in attrs {
                        match a {
                            AttributeValue::Uid(u) => this = *u == uid,
                            AttributeValue::Flags(fl) => {
                                m.flags = fl
                                    .iter()
                                    .filter(|f| {
                                        !f.eq_ignore_ascii_case("\\Recent")
                                            && flags::bit(f) != Some(flags::DELETED)
                                    })
                                    .map(|f| f.to_string())
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            }
                            AttributeValue::InternalDate(d) => {
                                m.internal_date = Some(d.to_string())
                            }
                            AttributeValue::BodySection { data: Some(d), .. } => m.raw = d.to_vec(),
                            _ => {}
                        }
                    }
                    if this && !m.raw.is_empty() {
                        out = Some(m);
                    }
                }
            },
        )
        .await
        .context("Fetching a message to copy")?;
        Ok(out)
    }

    /// CREATE (RFC 3501 §6.3.3).
    pub async fn create_folder(&mut self, name: &str) -> Result<()> {
        self.folder_command("CREATE", name, "Creating").await
    }

    /// DELETE (RFC 3501 §6.3.4); the server removes the folder's messages with it.
    pub async fn delete_folder(&mut self, name: &str) -> Result<()> {
        if self.is_selected(name) {
            // Dovecot (and RFC 3501 §6.3.4 servers generally) may refuse to delete the
            // selected folder; leave it first.
            self.select("INBOX").await?;
        }
        self.folder_command("DELETE", name, "Deleting").await
    }

    /// RENAME (RFC 3501 §6.3.5); the folder keeps its messages and, on most servers, its
    /// UIDVALIDITY (sync checks it either way).
    pub async fn rename_folder(&mut self, from: &str, to: &str) -> Result<()> {
        if self.is_selected(from) {
            self.select("INBOX").await?;
        }
        raw::command(
            &mut self.session,
            &format!("RENAME {} {}", raw::quote(from), raw::quote(to)),
            self.t.command,
            |_| {},
        )
        .await
        .with_context(|| format!("Renaming folder {}", super::utf7::decode(from)))
    }

    /// SUBSCRIBE or UNSUBSCRIBE (RFC 3501 §6.3.6-7).
    pub async fn subscribe(&mut self, name: &str, on: bool) -> Result<()> {
        if on {
            self.folder_command("SUBSCRIBE", name, "Subscribing to")
                .await
        } else {
            self.folder_command("UNSUBSCRIBE", name, "Unsubscribing from")
                .await
        }
    }

    async fn folder_command(&mut self, verb: &str, name: &str, doing: &str) -> Result<()> {
        raw::command(
            &mut self.session,
            &format!("{verb} {}", raw::quote(name)),
            self.t.command,
            |_| {},
        )
        .await
        .with_context(|| format!("{doing} folder {}", super::utf7::decode(name)))
    }
}
