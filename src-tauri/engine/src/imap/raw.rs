//! Commands async-imap has no helper for (ENABLE, STATUS with HIGHESTMODSEQ, UID SEARCH with
//! a range, UID MOVE, APPEND with APPENDUID), sent as text with every untagged reply handed
//! to the caller, and the UIDPLUS response codes they return.

use super::{timed, Session};
use crate::error::{err, ErrorKind};
use anyhow::{Context, Result};
use async_imap::imap_proto::rfc4315::UidSetMember;
use async_imap::imap_proto::{RequestId, Response, ResponseCode, Status};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Sends `cmd` (without tag) and passes each untagged response to `on_untagged` until the
/// command's tagged reply. A NO or BAD reply is an error carrying the server's text.
pub async fn command<F>(
    session: &mut Session,
    cmd: &str,
    limit: Duration,
    on_untagged: F,
) -> Result<()>
where
    F: FnMut(&Response<'_>),
{
    command_code(session, cmd, limit, on_untagged)
        .await
        .map(|_| ())
}

/// What a response code says that the write path needs (RFC 4315 §3, UIDPLUS).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Code {
    #[default]
    None,
    /// COPYUID: the destination's UIDVALIDITY and (source UID, new UID) pairs.
    CopyUid {
        uidvalidity: u32,
        pairs: Vec<(u32, u32)>,
    },
    /// APPENDUID: the destination's UIDVALIDITY and the new message's UID.
    AppendUid { uidvalidity: u32, uid: u32 },
}

impl Code {
    /// Reads COPYUID and APPENDUID; other codes are `None`.
    pub fn of(code: Option<&ResponseCode<'_>>) -> Code {
        match code {
            Some(ResponseCode::CopyUid(v, src, dst)) => {
                // "The first UID in the source set corresponds to the first UID in the
                // destination set, and so on" (RFC 4315 §3). The source set is ours, so it
                // bounds the pairs: a hostile `1:4294967295` is never expanded in full.
                let pairs = uids(src).zip(uids(dst)).take(MAX_PAIRS).collect();
                Code::CopyUid {
                    uidvalidity: *v,
                    pairs,
                }
            }
            Some(ResponseCode::AppendUid(v, set)) => match set.last().map(last_uid) {
                Some(uid) => Code::AppendUid {
                    uidvalidity: *v,
                    uid,
                },
                None => Code::None,
            },
            _ => Code::None,
        }
    }
}

/// At most this many COPYUID pairs are read: more than any command of ours copies.
const MAX_PAIRS: usize = 1 << 20;

fn uids(set: &[UidSetMember]) -> impl Iterator<Item = u32> + '_ {
    set.iter().flat_map(|m| match m {
        UidSetMember::Uid(u) => *u..=*u,
        UidSetMember::UidRange(r) => r.clone(),
    })
}

fn last_uid(m: &UidSetMember) -> u32 {
    match m {
        UidSetMember::Uid(u) => *u,
        UidSetMember::UidRange(r) => *r.end(),
    }
}

/// Like [`command`], and returns what the tagged OK's response code said (COPYUID after
/// UID COPY, RFC 4315 §3).
pub async fn command_code<F>(
    session: &mut Session,
    cmd: &str,
    limit: Duration,
    on_untagged: F,
) -> Result<Code>
where
    F: FnMut(&Response<'_>),
{
    let tag = timed(limit, session.run_command(cmd))
        .await?
        .with_context(|| format!("Sending {}", verb(cmd)))?;
    finish(session, &tag, cmd, limit, on_untagged).await
}

/// Reads responses until the tagged reply to `tag`.
async fn finish<F>(
    session: &mut Session,
    tag: &RequestId,
    cmd: &str,
    limit: Duration,
    mut on_untagged: F,
) -> Result<Code>
where
    F: FnMut(&Response<'_>),
{
    loop {
        let resp = timed(limit, session.read_response())
            .await?
            .with_context(|| format!("Reading the reply to {}", verb(cmd)))?
            .ok_or_else(|| {
                err(
                    ErrorKind::Network,
                    format!("The server closed the connection during {}", verb(cmd)),
                )
            })?;
        match resp.parsed() {
            Response::Done {
                tag: t,
                status,
                outcome,
            } if t == tag => {
                let text = outcome.information.as_deref().unwrap_or("");
                return match status {
                    Status::Ok => Ok(Code::of(outcome.code.as_ref())),
                    // A refusal for now, not for good (RFC 5530 §3): retry later.
                    Status::No if is_temporary(text) => Err(err(
                        ErrorKind::Network,
                        format!("The server cannot do {} right now: {text}", verb(cmd)),
                    )),
                    Status::No => Err(err(
                        ErrorKind::Refused,
                        format!(
                            "The server refused {}: {}",
                            verb(cmd),
                            outcome.information.as_deref().unwrap_or("")
                        ),
                    )),
                    _ => Err(err(
                        ErrorKind::Protocol,
                        format!(
                            "The server refused {}: {}",
                            verb(cmd),
                            outcome.information.as_deref().unwrap_or("")
                        ),
                    )),
                };
            }
            other => on_untagged(other),
        }
    }
}

/// Whether a NO carries a response code saying "try again later" (RFC 5530 §3: the
/// parser keeps codes it does not know in the text).
fn is_temporary(text: &str) -> bool {
    let t = text.trim_start().to_ascii_uppercase();
    t.starts_with("[UNAVAILABLE]") || t.starts_with("[INUSE]")
}

/// APPEND (RFC 3501 §6.3.11) of `content` as a synchronizing literal: the command line, the
/// server's go-ahead, then the bytes as they are (8-bit mail included). Returns APPENDUID
/// when the server has UIDPLUS.
pub async fn append(
    session: &mut Session,
    mailbox: &str,
    flags: &str,
    internal_date: Option<&str>,
    content: &[u8],
    limit: Duration,
) -> Result<Code> {
    let date = internal_date
        .map(|d| format!(" {}", quote(d)))
        .unwrap_or_default();
    let cmd = format!(
        "APPEND {} ({flags}){date} {{{}}}",
        quote(mailbox),
        content.len()
    );
    let tag = timed(limit, session.run_command(&cmd))
        .await?
        .context("Sending APPEND")?;
    loop {
        let resp = timed(limit, session.read_response())
            .await?
            .context("Reading the reply to APPEND")?
            .ok_or_else(|| {
                err(
                    ErrorKind::Network,
                    "The server closed the connection during APPEND",
                )
            })?;
        match resp.parsed() {
            Response::Continue(_) => break,
            Response::Done {
                tag: t, outcome, ..
            } if *t == tag => {
                return Err(err(
                    ErrorKind::Refused,
                    format!(
                        "The server refused APPEND: {}",
                        outcome.information.as_deref().unwrap_or("")
                    ),
                ));
            }
            _ => {}
        }
    }
    let io = session.get_mut();
    timed(limit, async {
        io.write_all(content).await?;
        io.write_all(b"\r\n").await?;
        io.flush().await
    })
    .await?
    .context("Sending the message")?;
    finish(session, &tag, "APPEND", limit, |_| {}).await
}

/// The command's first word, for messages (never the arguments, which may hold names).
fn verb(cmd: &str) -> String {
    let mut words = cmd.split_whitespace();
    match words.next() {
        Some(w) if w.eq_ignore_ascii_case("UID") => format!("UID {}", words.next().unwrap_or("")),
        Some(w) => w.to_string(),
        None => String::new(),
    }
}

/// Quotes a mailbox name or other string for a command (RFC 3501 §4.3 quoted string).
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_specials() {
        assert_eq!(quote("INBOX"), "\"INBOX\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }

    #[test]
    fn temporary_refusals_are_told_apart() {
        assert!(is_temporary("[INUSE] Mailbox is locked"));
        assert!(is_temporary("[unavailable] Backend down"));
        assert!(!is_temporary("Mailbox doesn't exist: Nope"));
    }

    #[test]
    fn copyuid_pairs_follow_set_order() {
        use async_imap::imap_proto::rfc4315::UidSetMember::{Uid, UidRange};
        let code = ResponseCode::CopyUid(7, vec![Uid(3), UidRange(5..=6)], vec![UidRange(20..=22)]);
        assert_eq!(
            Code::of(Some(&code)),
            Code::CopyUid {
                uidvalidity: 7,
                pairs: vec![(3, 20), (5, 21), (6, 22)]
            }
        );
        let append = ResponseCode::AppendUid(9, vec![Uid(41)]);
        assert_eq!(
            Code::of(Some(&append)),
            Code::AppendUid {
                uidvalidity: 9,
                uid: 41
            }
        );
    }

    #[test]
    fn verbs_hide_arguments() {
        assert_eq!(verb("UID FETCH 1:* (FLAGS)"), "UID FETCH");
        assert_eq!(verb("STATUS \"Secret\" (MESSAGES)"), "STATUS");
    }
}
