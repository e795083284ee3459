//! The IMAP commands sync needs, each with a deadline and typed results.

use super::connect::{self, Capabilities};
use super::fetch::{full_items, full_of, header_items, header_of};
use super::{net, raw, seqset, timed, untagged, Session, Timeouts};
use crate::account::Account;
use crate::error::{err, ErrorKind};
use crate::folder::{Listed, Role};
use crate::message::Header;
use anyhow::{Context, Result};
use async_imap::types::Fetch;
use async_imap::types::NameAttribute;
use futures::StreamExt;

/// An authenticated connection and what its server can do.
pub struct Conn {
    pub session: Session,
    pub caps: Capabilities,
    /// QRESYNC was enabled (RFC 7162 §3.2.3), so VANISHED replaces EXPUNGE on this connection.
    pub qresync: bool,
    pub t: Timeouts,
    /// The folder currently selected on this connection, if any.
    selected: Option<String>,
}

/// What STATUS or SELECT says about a mailbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailboxState {
    pub exists: u32,
    pub uidvalidity: u32,
    pub uidnext: u32,
    pub highestmodseq: u64,
}

/// The messages one FETCH asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span<'a> {
    Uids(&'a [u32]),
    /// Sequence numbers `lo..=hi` of the selected folder (RFC 3501 §2.3.1.2).
    Seq(u32, u32),
}

impl Span<'_> {
    pub fn len(&self) -> usize {
        match self {
            Span::Uids(u) => u.len(),
            Span::Seq(lo, hi) => (hi + 1).saturating_sub(*lo) as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// New messages with their bodies, as one FETCH's replies are handed on.
#[derive(Debug, Default)]
pub struct Fetched {
    pub headers: Vec<Header>,
    /// `(uid, raw)` of each message in `headers`.
    pub bodies: Vec<(u32, Vec<u8>)>,
}

/// A flag state reported by FETCH: (uid, flags, keywords, modseq).
pub type FlagRow = (u32, u32, String, u64);

impl Conn {
    pub async fn open(account: &Account, password: &str, t: Timeouts) -> Result<Conn> {
        let (mut session, caps) =
            connect::open(&account.config.imap, &account.config.trust, password, &t).await?;
        let mut qresync = false;
        if caps.has("QRESYNC") && caps.has("ENABLE") {
            raw::command(&mut session, "ENABLE QRESYNC", t.command, |_| {}).await?;
            qresync = true;
        }
        Ok(Conn {
            session,
            caps,
            qresync,
            t,
            selected: None,
        })
    }

    /// Whether `name` is the folder selected on this connection.
    pub fn is_selected(&self, name: &str) -> bool {
        self.selected.as_deref() == Some(name)
    }

    /// CONDSTORE is usable: advertised, or implied by QRESYNC (RFC 7162 §3.2.3).
    pub fn condstore(&self) -> bool {
        self.qresync || self.caps.has("CONDSTORE")
    }

    pub async fn logout(mut self) {
        let _ = timed(self.t.command, self.session.logout()).await;
    }

    /// All folders with their roles and subscription (LIST and LSUB, RFC 3501 §6.3.8-9,
    /// special-use attributes per RFC 6154).
    pub async fn list_folders(&mut self) -> Result<Vec<Listed>> {
        let t = self.t.command;
        let mut folders = Vec::new();
        {
            let mut names = net(t, self.session.list(Some(""), Some("*")))
                .await
                .context("Listing folders")?;
            while let Some(n) = timed(t, names.next()).await? {
                let n = n.context("Reading the folder list")?;
                let mut role = Role::None;
                let mut selectable = true;
                for a in n.attributes() {
                    role = match a {
                        NameAttribute::NoSelect => {
                            selectable = false;
                            role
                        }
                        NameAttribute::Extension(e) if e.eq_ignore_ascii_case("\\NonExistent") => {
                            selectable = false;
                            role
                        }
                        NameAttribute::Sent => Role::Sent,
                        NameAttribute::Drafts => Role::Drafts,
                        NameAttribute::Trash => Role::Trash,
                        NameAttribute::Junk => Role::Junk,
                        NameAttribute::Archive => Role::Archive,
                        NameAttribute::All => Role::All,
                        NameAttribute::Flagged => Role::Flagged,
                        _ => role,
                    };
                }
                if n.name().eq_ignore_ascii_case("INBOX") {
                    role = Role::Inbox;
                }
                folders.push(Listed {
                    name: n.name().to_string(),
                    delimiter: n.delimiter().unwrap_or("").to_string(),
                    role,
                    subscribed: false,
                    selectable,
                });
            }
        }
        let mut subscribed = Vec::new();
        {
            let mut names = net(t, self.session.lsub(Some(""), Some("*")))
                .await
                .context("Listing subscriptions")?;
            while let Some(n) = timed(t, names.next()).await? {
                subscribed.push(n.context("Reading subscriptions")?.name().to_string());
            }
        }
        for f in &mut folders {
            f.subscribed = f.role == Role::Inbox || subscribed.contains(&f.name);
        }
        guess_roles(&mut folders);
        Ok(folders)
    }

    /// STATUS of a folder (RFC 3501 §6.3.10), with HIGHESTMODSEQ under CONDSTORE (RFC 7162 §3.1.6).
    ///
    /// STATUS must not be asked of the selected folder (RFC 3501 §6.3.10): Dovecot then answers
    /// with this connection's old view and new mail would go unseen. That folder is selected
    /// again instead, which reports its current state.
    pub async fn status(&mut self, name: &str) -> Result<MailboxState> {
        if self.selected.as_deref() == Some(name) {
            return self.select(name).await;
        }
        let items = if self.condstore() {
            "MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ"
        } else {
            "MESSAGES UIDNEXT UIDVALIDITY"
        };
        let mut st = MailboxState::default();
        raw::command(
            &mut self.session,
            &format!("STATUS {} ({items})", raw::quote(name)),
            self.t.command,
            |r| untagged::status_into(r, &mut st),
        )
        .await
        .with_context(|| format!("Checking folder {}", super::utf7::decode(name)))?;
        Ok(st)
    }

    /// Selects a folder read-write, enabling CONDSTORE for it when available.
    pub async fn select(&mut self, name: &str) -> Result<MailboxState> {
        let cmd = if self.condstore() {
            format!("SELECT {} (CONDSTORE)", raw::quote(name))
        } else {
            format!("SELECT {}", raw::quote(name))
        };
        let mut st = MailboxState::default();
        // A failed SELECT leaves no folder selected (RFC 3501 §6.3.1).
        self.selected = None;
        raw::command(&mut self.session, &cmd, self.t.command, |r| {
            untagged::select_into(r, &mut st)
        })
        .await
        .with_context(|| format!("Opening folder {}", super::utf7::decode(name)))?;
        if st.uidvalidity == 0 {
            return Err(err(
                ErrorKind::Protocol,
                "The server did not report UIDVALIDITY, so its UIDs cannot be trusted",
            ));
        }
        self.selected = Some(name.to_string());
        Ok(st)
    }

    /// UIDs at or above `from` in the selected folder (RFC 3501 §6.4.4).
    pub async fn uids_from(&mut self, from: u32) -> Result<Vec<u32>> {
        let mut uids = self.search_uids(&format!("{}:*", from.max(1))).await?;
        // "n:*" always includes the highest UID, even when it is below n (RFC 3501 §6.4.8).
        uids.retain(|u| *u >= from);
        Ok(uids)
    }

    /// UIDs between `lo` and `hi` inclusive in the selected folder.
    pub async fn uids_in(&mut self, lo: u32, hi: u32) -> Result<Vec<u32>> {
        let mut uids = self
            .search_uids(&format!("{}:{}", lo.max(1), hi.max(1)))
            .await?;
        uids.retain(|u| *u >= lo && *u <= hi);
        Ok(uids)
    }

    async fn search_uids(&mut self, set: &str) -> Result<Vec<u32>> {
        let mut uids = Vec::new();
        raw::command(
            &mut self.session,
            &format!("UID SEARCH UID {set}"),
            self.t.command,
            |r| untagged::search_into(r, &mut uids),
        )
        .await
        .context("Listing messages")?;
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Header rows for the given UIDs, with one FETCH for the whole chunk.
    pub async fn fetch_headers(&mut self, uids: &[u32]) -> Result<Vec<Header>> {
        self.fetch_header_rows(&Span::Uids(uids)).await
    }

    /// Header rows for a chunk of UIDs or of sequence numbers, with one FETCH.
    pub async fn fetch_header_rows(&mut self, span: &Span<'_>) -> Result<Vec<Header>> {
        let items = header_items(self.condstore());
        let t = self.t.command;
        let mut out = Vec::with_capacity(span.len());
        let mut stream = self.fetch_span(span, &items).await?;
        while let Some(f) = timed(t, stream.next()).await? {
            let f = f.context("Reading message headers")?;
            if let Some(h) = header_of(&f) {
                out.push(h);
            }
        }
        Ok(out)
    }

    /// Header rows with whole bodies (offline mode) for a chunk, with one FETCH, handed to
    /// `out` in batches of at most `batch` messages or about `max_bytes` of bodies, so a
    /// chunk of large messages is never held whole. Returns false once `out` is closed.
    pub async fn fetch_full(
        &mut self,
        span: &Span<'_>,
        batch: usize,
        max_bytes: usize,
        out: &tokio::sync::mpsc::Sender<Fetched>,
    ) -> Result<bool> {
        let items = full_items(self.condstore());
        let t = self.t.command;
        let mut stream = self.fetch_span(span, &items).await?;
        let mut next = Fetched::default();
        let mut bytes = 0;
        while let Some(f) = timed(t, stream.next()).await? {
            let f = f.context("Reading messages")?;
            let Some((h, body)) = full_of(&f) else {
                continue;
            };
            bytes += body.len();
            next.bodies.push((h.uid, body));
            next.headers.push(h);
            if next.headers.len() >= batch || bytes >= max_bytes {
                bytes = 0;
                if out.send(std::mem::take(&mut next)).await.is_err() {
                    return Ok(false);
                }
            }
        }
        Ok(next.headers.is_empty() || out.send(next).await.is_ok())
    }

    /// Starts a FETCH of `items` for a chunk and returns its replies as they come.
    async fn fetch_span<'c>(
        &'c mut self,
        span: &Span<'_>,
        items: &str,
    ) -> Result<impl futures::Stream<Item = async_imap::error::Result<Fetch>> + Unpin + 'c> {
        let t = self.t.command;
        let stream = match span {
            Span::Uids(uids) => net(
                t,
                self.session
                    .uid_fetch(seqset::format(uids), items.to_string()),
            )
            .await
            .map(futures::future::Either::Left),
            // The reply carries each message's UID (it is among the items).
            Span::Seq(lo, hi) => net(
                t,
                self.session.fetch(format!("{lo}:{hi}"), items.to_string()),
            )
            .await
            .map(|s| futures::future::Either::Right(Box::pin(s))),
        };
        stream.context("Fetching messages")
    }

    /// Flags of messages up to `max_uid`. With `changed_since`, only those whose MODSEQ grew
    /// (RFC 7162 §3.1.4), plus expunged UIDs when QRESYNC is on (VANISHED, §3.2.6).
    pub async fn fetch_flags(
        &mut self,
        max_uid: u32,
        changed_since: Option<u64>,
    ) -> Result<(Vec<FlagRow>, Vec<u32>)> {
        if max_uid == 0 {
            return Ok((Vec::new(), Vec::new()));
        }
        let modifier = match changed_since {
            Some(m) if self.qresync => format!(" (CHANGEDSINCE {m} VANISHED)"),
            Some(m) => format!(" (CHANGEDSINCE {m})"),
            None => String::new(),
        };
        let items = if self.condstore() {
            "(UID FLAGS MODSEQ)"
        } else {
            "(UID FLAGS)"
        };
        let mut rows = Vec::new();
        let mut vanished = Vec::new();
        raw::command(
            &mut self.session,
            &format!("UID FETCH 1:{max_uid} {items}{modifier}"),
            self.t.command,
            |r| {
                if let Some(row) = untagged::flag_row(r, max_uid) {
                    rows.push(row);
                } else if let Some(uids) = untagged::vanished(r, max_uid) {
                    vanished.extend(uids);
                }
            },
        )
        .await
        .context("Fetching flags")?;
        Ok((rows, vanished))
    }

    /// Adds and removes flags on messages of the selected folder (RFC 3501 §6.4.6). UIDs that
    /// no longer exist are ignored by the server, which is what a replayed action wants.
    pub async fn store_flags(&mut self, uids: &[u32], add: u32, remove: u32) -> Result<()> {
        let set = seqset::format(uids);
        for (sign, bits) in [('+', add), ('-', remove)] {
            if bits != 0 {
                let cmd = format!(
                    "UID STORE {set} {sign}FLAGS.SILENT ({})",
                    crate::pending::flag_list(bits)
                );
                raw::command(&mut self.session, &cmd, self.t.command, |_| {})
                    .await
                    .context("Changing flags")?;
            }
        }
        Ok(())
    }

    /// Full bodies `(uid, raw)` of the given UIDs, without setting \Seen (BODY.PEEK).
    pub async fn fetch_bodies(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>> {
        let set = seqset::format(uids);
        let t = self.t.command;
        let mut out = Vec::with_capacity(uids.len());
        let mut stream = net(t, self.session.uid_fetch(&set, "(UID BODY.PEEK[])"))
            .await
            .context("Fetching messages")?;
        while let Some(f) = timed(t, stream.next()).await? {
            let f = f.context("Reading messages")?;
            if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                out.push((uid, body.to_vec()));
            }
        }
        Ok(out)
    }
}

/// Servers without SPECIAL-USE still have the usual folders; recognise them by name.
fn guess_roles(folders: &mut [Listed]) {
    let taken: Vec<Role> = folders.iter().map(|f| f.role).collect();
    for f in folders.iter_mut().filter(|f| f.role == Role::None) {
        let leaf = f
            .name
            .rsplit(|c| f.delimiter.contains(c))
            .next()
            .unwrap_or(&f.name)
            .to_ascii_lowercase();
        let guess = match leaf.as_str() {
            "sent" | "sent items" | "sent messages" | "sent mail" => Role::Sent,
            "drafts" | "draft" => Role::Drafts,
            "trash" | "deleted items" | "deleted messages" | "bin" => Role::Trash,
            "junk" | "spam" | "junk e-mail" | "junk email" => Role::Junk,
            "archive" | "archives" => Role::Archive,
            _ => Role::None,
        };
        if guess != Role::None && !taken.contains(&guess) {
            f.role = guess;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(name: &str, role: Role) -> Listed {
        Listed {
            name: name.into(),
            delimiter: "/".into(),
            role,
            subscribed: true,
            selectable: true,
        }
    }

    #[test]
    fn roles_are_guessed_only_when_missing() {
        let mut f = vec![
            listed("INBOX", Role::Inbox),
            listed("Sent Items", Role::None),
            listed("Spam", Role::None),
        ];
        guess_roles(&mut f);
        assert_eq!(f[1].role, Role::Sent);
        assert_eq!(f[2].role, Role::Junk);

        let mut f = vec![listed("Gesendet", Role::Sent), listed("Sent", Role::None)];
        guess_roles(&mut f);
        assert_eq!(
            f[1].role,
            Role::None,
            "a special-use folder wins over a name guess"
        );
    }
}
