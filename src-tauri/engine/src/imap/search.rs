//! UID SEARCH for the server fallback of search (RFC 3501 §6.4.4), with non-ASCII text sent
//! as literals: non-synchronizing (RFC 7888 LITERAL+) when offered, else one continuation each.

use super::ops::Conn;
use super::{net, raw, timed};
use crate::error::{err, ErrorKind};
use anyhow::{Context, Result};
use async_imap::imap_proto::{MailboxDatum, Response, Status as ImapStatus};

impl Conn {
    /// UIDs of the selected folder matching `args` (UID SEARCH, RFC 3501 §6.4.4). Text that
    /// is not ASCII is sent as literals under `CHARSET UTF-8`: non-synchronizing ones
    /// (RFC 7888) when the server offers LITERAL+, otherwise waiting for each continuation.
    pub async fn uid_search(&mut self, args: &[SearchArg]) -> Result<Vec<u32>> {
        let chunks = search_command(args, self.caps.has("LITERAL+"));
        let t = self.t.command;
        let mut uids = Vec::new();
        let collect = |r: &Response<'_>, uids: &mut Vec<u32>| {
            if let Response::MailboxData(MailboxDatum::Search(v)) = r {
                uids.extend_from_slice(v);
            }
        };
        if let [cmd] = chunks.as_slice() {
            raw::command(&mut self.session, cmd, t, |r| collect(r, &mut uids))
                .await
                .context("Searching on the server")?;
        } else {
            let tag = net(t, self.session.run_command(&chunks[0]))
                .await
                .context("Sending UID SEARCH")?;
            let mut rest = chunks[1..].iter();
            loop {
                let resp = timed(t, self.session.read_response())
                    .await?
                    .context("Reading the reply to UID SEARCH")?
                    .ok_or_else(|| {
                        err(
                            ErrorKind::Network,
                            "The server closed the connection during UID SEARCH",
                        )
                    })?;
                match resp.parsed() {
                    // RFC 3501 §7.5: the server is ready for the literal's octets.
                    Response::Continue(_) => match rest.next() {
                        Some(chunk) => net(t, self.session.run_command_untagged(chunk))
                            .await
                            .context("Sending UID SEARCH")?,
                        None => {
                            return Err(err(
                                ErrorKind::Protocol,
                                "The server asked for more of UID SEARCH than there was",
                            ))
                        }
                    },
                    Response::Done {
                        tag: done,
                        status,
                        outcome,
                    } if *done == tag => {
                        if *status != ImapStatus::Ok {
                            return Err(err(
                                ErrorKind::Refused,
                                format!(
                                    "The server refused UID SEARCH: {}",
                                    outcome.information.as_deref().unwrap_or("")
                                ),
                            ));
                        }
                        break;
                    }
                    other => collect(other, &mut uids),
                }
            }
        }
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }
}

/// One argument of UID SEARCH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchArg {
    /// A search key or other atom, sent as is (`FROM`, `NOT`, `3-Nov-2025`).
    Atom(String),
    /// A string: quoted when it is ASCII, a literal otherwise.
    Text(String),
}

/// The text of UID SEARCH for `args`, split where a synchronizing literal must wait for the
/// server's continuation; one piece when there is none (or with LITERAL+).
fn search_command(args: &[SearchArg], literal_plus: bool) -> Vec<String> {
    let plain = |t: &str| t.is_ascii() && !t.contains(['\r', '\n']);
    let utf8 = args
        .iter()
        .any(|a| matches!(a, SearchArg::Text(t) if !plain(t)));
    let mut chunks = Vec::new();
    let mut cur = String::from("UID SEARCH");
    if utf8 {
        cur += " CHARSET UTF-8";
    }
    if args.is_empty() {
        cur += " ALL";
    }
    for a in args {
        cur.push(' ');
        match a {
            SearchArg::Atom(s) => cur += s,
            SearchArg::Text(t) if plain(t) => cur += &raw::quote(t),
            SearchArg::Text(t) if literal_plus => {
                cur += &format!("{{{}+}}\r\n{t}", t.len());
            }
            SearchArg::Text(t) => {
                cur += &format!("{{{}}}", t.len());
                chunks.push(std::mem::replace(&mut cur, t.clone()));
            }
        }
    }
    chunks.push(cur);
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_commands_quote_ascii_and_send_literals_otherwise() {
        let args = [
            SearchArg::Atom("FROM".into()),
            SearchArg::Text("a\"b".into()),
            SearchArg::Atom("TEXT".into()),
            SearchArg::Text("café".into()),
            SearchArg::Atom("UNSEEN".into()),
        ];
        assert_eq!(
            search_command(&args[..2], false),
            ["UID SEARCH FROM \"a\\\"b\""]
        );
        assert_eq!(search_command(&[], false), ["UID SEARCH ALL"]);
        assert_eq!(
            search_command(&args, true),
            ["UID SEARCH CHARSET UTF-8 FROM \"a\\\"b\" TEXT {5+}\r\ncafé UNSEEN"]
        );
        assert_eq!(
            search_command(&args, false),
            [
                "UID SEARCH CHARSET UTF-8 FROM \"a\\\"b\" TEXT {5}",
                "café UNSEEN"
            ]
        );
    }
}
