//! Commands async-imap has no helper for (ENABLE, STATUS with HIGHESTMODSEQ, UID SEARCH with
//! a range), sent as text with every untagged reply handed to the caller.

use super::{timed, Session};
use crate::error::{err, ErrorKind};
use anyhow::{Context, Result};
use async_imap::imap_proto::{Response, Status};
use std::time::Duration;

/// Sends `cmd` (without tag) and passes each untagged response to `on_untagged` until the
/// command's tagged reply. A NO or BAD reply is an error carrying the server's text.
pub async fn command<F>(
    session: &mut Session,
    cmd: &str,
    limit: Duration,
    mut on_untagged: F,
) -> Result<()>
where
    F: FnMut(&Response<'_>),
{
    let tag = timed(limit, session.run_command(cmd))
        .await?
        .with_context(|| format!("Sending {}", verb(cmd)))?;
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
            } if *t == tag => {
                return match status {
                    Status::Ok => Ok(()),
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
    fn verbs_hide_arguments() {
        assert_eq!(verb("UID FETCH 1:* (FLAGS)"), "UID FETCH");
        assert_eq!(verb("STATUS \"Secret\" (MESSAGES)"), "STATUS");
    }
}
