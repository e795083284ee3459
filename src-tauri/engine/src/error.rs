//! The engine's public error: a kind the UI can switch on, and a sentence it can show.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong, coarsely enough for a UI to act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The server refused the credentials.
    Auth,
    /// The host could not be reached or the connection broke.
    Network,
    /// The server did not answer in time.
    Timeout,
    /// TLS failed: the certificate did not verify, or the handshake broke.
    Tls,
    /// The account, folder or message does not exist.
    NotFound,
    /// The server said something we could not understand.
    Protocol,
    /// The server understood a command and refused it (a NO reply), for example a folder
    /// that no longer exists. Retrying the same command will not help.
    Refused,
    /// The folder still holds messages or subfolders; deleting it needs the user's
    /// confirmation (and `force`).
    NotEmpty,
    /// The local cache could not be read or written (full disk, corruption).
    Storage,
    /// The settings are unusable (for example plain text without consent).
    Config,
    /// No credentials are available (no keyring, no password command).
    Credentials,
    /// The operation was cancelled because the engine or account stopped.
    Cancelled,
}

impl ErrorKind {
    /// Whether trying again later could help. Auth, TLS and config errors need the user.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Protocol
        )
    }
}

/// An error from the engine's public API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Error {
    pub kind: ErrorKind,
    /// A sentence for people, including the chain of causes.
    pub message: String,
    /// For TLS errors: the SHA-256 fingerprint of the certificate the server showed,
    /// so the user can choose to trust it explicitly.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cert_fingerprint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            cert_fingerprint: None,
        }
    }

    /// Classifies an internal `anyhow` error by looking through its chain of causes.
    pub fn from_anyhow(err: anyhow::Error) -> Self {
        if let Some(e) = err.downcast_ref::<Error>() {
            let mut e = e.clone();
            let context = format!("{err:#}");
            if !context.is_empty() && context != e.message {
                e.message = context;
            }
            return e;
        }
        let kind = classify(&err);
        Error::new(kind, format!("{err:#}"))
    }
}

fn classify(err: &anyhow::Error) -> ErrorKind {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<Error>() {
            return e.kind;
        }
        if cause
            .downcast_ref::<tokio::time::error::Elapsed>()
            .is_some()
        {
            return ErrorKind::Timeout;
        }
        if cause.downcast_ref::<rustls_error::Rustls>().is_some() {
            return ErrorKind::Tls;
        }
        if cause.downcast_ref::<rusqlite::Error>().is_some() {
            return ErrorKind::Storage;
        }
        if let Some(e) = cause.downcast_ref::<async_imap::error::Error>() {
            return match e {
                async_imap::error::Error::Io(io) => io_kind(io),
                async_imap::error::Error::ConnectionLost => ErrorKind::Network,
                _ => ErrorKind::Protocol,
            };
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return io_kind(io);
        }
    }
    ErrorKind::Protocol
}

fn io_kind(io: &std::io::Error) -> ErrorKind {
    if io
        .get_ref()
        .is_some_and(|inner| inner.is::<rustls_error::Rustls>())
    {
        return ErrorKind::Tls;
    }
    match io.kind() {
        std::io::ErrorKind::TimedOut => ErrorKind::Timeout,
        std::io::ErrorKind::StorageFull => ErrorKind::Storage,
        std::io::ErrorKind::InvalidData => ErrorKind::Protocol,
        _ => ErrorKind::Network,
    }
}

/// rustls' error type, named once so classification reads plainly.
mod rustls_error {
    pub type Rustls = tokio_rustls::rustls::Error;
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<anyhow::Error> for Error {
    fn from(err: anyhow::Error) -> Self {
        Error::from_anyhow(err)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        Error::new(ErrorKind::Storage, format!("local cache: {err}"))
    }
}

/// Shorthand for returning a kinded error from inside `anyhow` code.
pub(crate) fn err(kind: ErrorKind, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Error::new(kind, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn kinded_error_survives_context() {
        let e: anyhow::Result<()> = Err(err(ErrorKind::Auth, "the server refused the password"));
        let e = Error::from(e.context("Logging in to imap.example.org").unwrap_err());
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(
            e.message.starts_with("Logging in to imap.example.org"),
            "{}",
            e.message
        );
        assert!(e.message.contains("refused the password"));
    }

    #[test]
    fn io_errors_are_network_or_timeout() {
        let refused =
            anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(Error::from(refused).kind, ErrorKind::Network);
        let timed = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert_eq!(Error::from(timed).kind, ErrorKind::Timeout);
    }
}
