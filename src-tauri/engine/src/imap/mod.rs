//! The IMAP side of the engine: connections, raw commands, and turning FETCH replies into rows.

pub mod connect;
pub mod fetch;
pub mod ops;
pub mod raw;
pub mod search;
pub mod seqset;
pub mod trace;
pub mod untagged;
pub mod utf7;
pub mod write;

use crate::error::{err, ErrorKind};
use anyhow::Result;
use std::future::Future;
use std::time::Duration;

/// An authenticated IMAP session over TLS or plain TCP.
pub type Session = async_imap::Session<Box<dyn connect::Io>>;

/// How long each kind of network wait may take. Every await on the network has one of these.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// TCP connect and TLS handshake.
    pub connect: Duration,
    /// A command's reply, or the gap between two responses of a long FETCH.
    pub command: Duration,
    /// How long one IDLE may last before it is re-issued; servers may drop an IDLE after
    /// 30 minutes (RFC 2177 §3), so stay well inside that.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(20),
            command: Duration::from_secs(60),
            idle: Duration::from_secs(25 * 60),
        }
    }
}

/// Awaits a future with a deadline; running out is a `Timeout` error.
pub(crate) async fn timed<F: Future>(limit: Duration, fut: F) -> Result<F::Output> {
    tokio::time::timeout(limit, fut).await.map_err(|_| {
        err(
            ErrorKind::Timeout,
            format!("The server did not answer within {} s", limit.as_secs_f32()),
        )
    })
}

/// Awaits a fallible network future with a deadline.
pub(crate) async fn net<T, E, F>(limit: Duration, fut: F) -> Result<T>
where
    E: Into<anyhow::Error>,
    F: Future<Output = std::result::Result<T, E>>,
{
    timed(limit, fut).await?.map_err(Into::into)
}
