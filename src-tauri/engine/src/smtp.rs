//! Submitting a message over SMTP (RFC 6409) with `lettre`'s connection, on a TLS stream we
//! set up ourselves, so the certificate rules are exactly the IMAP ones (`tls.rs`: system
//! roots, the account's CA file, pinned fingerprints; a failure names the fingerprint).
//!
//! - Implicit TLS (RFC 8314 §3): our rustls handshake first, then lettre reads the greeting.
//! - STARTTLS (RFC 3207): the greeting, EHLO and STARTTLS are read and written here in the
//!   clear (nothing secret is sent), then our handshake; lettre then sends EHLO again, as
//!   §4.2 requires. Lettre's constructor expects a greeting, so the TLS stream hands it a
//!   synthetic `220` first: the server sends no second greeting after STARTTLS.
//!   A server without STARTTLS is an error, never a silent downgrade.
//! - Plain only when the user allowed it for this account.
//!
//! The transaction is driven command by command (MAIL, RCPT per recipient, DATA) so that a
//! refused recipient is named, and so the caller can record "DATA started" before the first
//! byte of the message goes out (the exactly-once rule in `outbox.rs`).

use crate::account::{Account, Security, Server};
use crate::error::{Error, ErrorKind};
use crate::imap::Timeouts;
use crate::tls::TlsSetup;
use anyhow::Context;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf,
};
use tokio::net::TcpStream;

/// Why a submission failed, and whether the message may have been accepted anyway.
#[derive(Debug, Clone)]
pub struct SendFailure {
    pub error: Error,
    /// Trying again later could help (4xx replies, network trouble before DATA).
    pub transient: bool,
    /// The failure came after DATA was sent: the server may have accepted the message.
    pub after_data: bool,
}

impl SendFailure {
    fn before(error: Error) -> Self {
        let transient = error.kind.is_transient();
        SendFailure {
            error,
            transient,
            after_data: false,
        }
    }
}

/// The account's SMTP server, or a config error saying none is set up.
pub fn server_of(account: &Account) -> Result<&Server, Error> {
    account.config.smtp.as_ref().ok_or_else(|| {
        Error::new(
            ErrorKind::Config,
            format!(
                "No outgoing (SMTP) server is set up for {}",
                account.config.email
            ),
        )
    })
}

/// Submits `raw` from `from` to `recipients`. `data_starting` runs after every recipient was
/// accepted and before DATA; if it fails, nothing is sent.
pub async fn submit(
    account: &Account,
    password: &str,
    t: &Timeouts,
    from: &str,
    recipients: &[String],
    raw: &[u8],
    data_starting: impl FnOnce() -> crate::Result<()>,
) -> Result<(), SendFailure> {
    let server = server_of(account).map_err(SendFailure::before)?;
    let mut conn = connect(server, &account.config.trust, t)
        .await
        .map_err(|e| SendFailure::before(Error::from(e)))?;
    let r = transaction(
        &mut conn,
        server,
        password,
        t,
        from,
        recipients,
        raw,
        data_starting,
    )
    .await;
    match &r {
        Ok(()) => {
            let _ = tokio::time::timeout(t.command, conn.quit()).await;
        }
        Err(_) => {
            let _ = tokio::time::timeout(t.command, conn.abort()).await;
        }
    }
    r
}

#[allow(clippy::too_many_arguments)]
async fn transaction(
    conn: &mut AsyncSmtpConnection,
    server: &Server,
    password: &str,
    t: &Timeouts,
    from: &str,
    recipients: &[String],
    raw: &[u8],
    data_starting: impl FnOnce() -> crate::Result<()>,
) -> Result<(), SendFailure> {
    let creds = Credentials::new(server.username.clone(), password.to_string());
    timed(t, conn.auth(&[Mechanism::Plain, Mechanism::Login], &creds))
        .await
        .map_err(|e| SendFailure::before(auth_error(e, server)))?;

    let from_addr: lettre::Address = from.parse().map_err(|_| {
        SendFailure::before(Error::new(
            ErrorKind::Config,
            format!("'{from}' is not a valid sender address"),
        ))
    })?;
    let info = conn.server_info().clone();
    let mut params = Vec::new();
    if info.supports_feature(Extension::EightBitMime) && !raw.is_ascii() {
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    // SIZE (RFC 1870 §6) lets the server refuse a message that is too large before DATA.
    params.push(MailParameter::Size(raw.len()));
    if recipients
        .iter()
        .chain(std::iter::once(&from.to_string()))
        .any(|a| !a.is_ascii())
    {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            return Err(SendFailure {
                error: Error::new(
                    ErrorKind::Refused,
                    "An address has non-ASCII characters and the server does not accept them (no SMTPUTF8)",
                ),
                transient: false,
                after_data: false,
            });
        }
        params.push(MailParameter::SmtpUtfEight);
    }
    timed(t, conn.command(Mail::new(Some(from_addr), params)))
        .await
        .map_err(|e| reply_failure(e, &format!("The server refused the sender {from}")))?;
    for rcpt in recipients {
        let addr: lettre::Address = rcpt.parse().map_err(|_| {
            SendFailure::before(Error::new(
                ErrorKind::Config,
                format!("'{rcpt}' is not a valid recipient address"),
            ))
        })?;
        // One refused recipient stops the whole message: sending to only some of them
        // silently would be worse than not sending (RFC 5321 §3.3 leaves this to the client).
        timed(t, conn.command(Rcpt::new(addr, vec![])))
            .await
            .map_err(|e| reply_failure(e, &format!("The server refused the recipient {rcpt}")))?;
    }
    data_starting().map_err(SendFailure::before)?;
    let after = |e: anyhow::Error| {
        // A 4xx/5xx reply to DATA or to the final dot means the server did not take it
        // (RFC 5321 §4.2.5); only a broken connection leaves the outcome unknown.
        let replied = e
            .downcast_ref::<lettre::transport::smtp::Error>()
            .is_some_and(|s| s.status().is_some());
        let mut f = reply_failure(e, "The server did not accept the message");
        f.after_data = !replied;
        f
    };
    timed(t, conn.command(Data)).await.map_err(after)?;
    // The whole message, then the reply to the final dot: allow time in proportion to size.
    let long = Timeouts {
        command: t.command + std::time::Duration::from_secs((raw.len() / 100_000) as u64),
        ..*t
    };
    timed(&long, conn.message(raw)).await.map_err(after)?;
    Ok(())
}

/// Classifies an SMTP reply or transport error. Code-specific sentences (RFC 5321 §4.2.3,
/// RFC 3463 enhanced codes) say what the user can do.
fn reply_failure(e: anyhow::Error, what: &str) -> SendFailure {
    let Some(smtp) = e.downcast_ref::<lettre::transport::smtp::Error>() else {
        let error = Error::from(e.context(what.to_string()));
        return SendFailure::before(error);
    };
    let text = smtp.to_string();
    if let Some(code) = smtp.status() {
        let code = code.to_string();
        let transient = smtp.is_transient();
        let hint = match code.as_str() {
            "552" | "452"
                if text.contains("5.3.4")
                    || text.to_lowercase().contains("size")
                    || code == "552" =>
            {
                " (the message is too large for the server)"
            }
            "550" | "553" | "551" if text.to_lowercase().contains("relay") => {
                " (the server does not relay to that domain for this account)"
            }
            "554" if text.to_lowercase().contains("relay") => {
                " (the server does not relay to that domain for this account)"
            }
            "530" | "535" => " (the server wants a different login)",
            _ => "",
        };
        let kind = match code.as_str() {
            "530" | "535" | "534" => ErrorKind::Auth,
            _ if transient => ErrorKind::Network,
            _ => ErrorKind::Refused,
        };
        return SendFailure {
            error: Error::new(kind, format!("{what}: {text}{hint}")),
            transient,
            after_data: false,
        };
    }
    let kind = if smtp.is_timeout() {
        ErrorKind::Timeout
    } else if smtp.is_tls() {
        ErrorKind::Tls
    } else if smtp.is_client() {
        ErrorKind::Config
    } else {
        ErrorKind::Network
    };
    SendFailure {
        error: Error::new(kind, format!("{what}: {text}")),
        transient: kind.is_transient(),
        after_data: false,
    }
}

fn auth_error(e: anyhow::Error, server: &Server) -> Error {
    let f = reply_failure(
        e,
        &format!("Logging in to {} as {}", server.host, server.username),
    );
    let mut error = f.error;
    if error.kind == ErrorKind::Refused || error.message.contains("(535)") {
        error.kind = ErrorKind::Auth;
        error.message = format!(
            "The outgoing server {} refused the user name or password ({})",
            server.host, error.message
        );
    }
    error
}

async fn timed<T>(
    t: &Timeouts,
    f: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
) -> anyhow::Result<T> {
    match tokio::time::timeout(t.command, f).await {
        Ok(r) => r.map_err(anyhow::Error::new),
        Err(e) => Err(anyhow::Error::new(e).context("The outgoing server did not answer in time")),
    }
}

fn hello() -> ClientId {
    // The name we greet with (RFC 5321 §4.1.1.1); an address literal would leak the local
    // address, so use a neutral name. Submission servers do not check it.
    ClientId::Domain("tern.localdomain".into())
}

/// Opens, secures and greets (EHLO) the SMTP server.
async fn connect(
    server: &Server,
    trust: &crate::account::Trust,
    t: &Timeouts,
) -> anyhow::Result<AsyncSmtpConnection> {
    if server.security == Security::Plain && !server.allow_plaintext {
        return Err(crate::error::err(
            ErrorKind::Config,
            "Refusing to send the password without encryption; allow plain text for this account explicitly",
        ));
    }
    let tcp = tokio::time::timeout(
        t.connect,
        TcpStream::connect((server.host.as_str(), server.port)),
    )
    .await
    .map_err(anyhow::Error::new)
    .and_then(|r| r.map_err(anyhow::Error::new))
    .with_context(|| format!("Connecting to {}:{}", server.host, server.port))?;
    tcp.set_nodelay(true).ok();
    let stream: Box<dyn AsyncTokioStream> = match server.security {
        Security::Plain => Box::new(Stream {
            inner: Box::new(tcp),
            prefix: Vec::new(),
            peer: None,
        }),
        Security::Tls => {
            let tls = TlsSetup::new(trust)?;
            let peer = tcp.peer_addr().ok();
            let s = crate::imap::connect::handshake(&tls, &server.host, tcp, t).await?;
            Box::new(Stream {
                inner: Box::new(s),
                prefix: Vec::new(),
                peer,
            })
        }
        Security::StartTls => {
            let tls = TlsSetup::new(trust)?;
            let peer = tcp.peer_addr().ok();
            let tcp = starttls(tcp, t).await?;
            let s = crate::imap::connect::handshake(&tls, &server.host, tcp, t).await?;
            Box::new(Stream {
                inner: Box::new(s),
                prefix: b"220 after STARTTLS\r\n".to_vec(),
                peer,
            })
        }
    };
    let conn = tokio::time::timeout(
        t.command,
        AsyncSmtpConnection::connect_with_transport(stream, &hello()),
    )
    .await
    .map_err(anyhow::Error::new)
    .and_then(|r| r.map_err(anyhow::Error::new))
    .with_context(|| format!("Greeting the outgoing server {}", server.host))?;
    Ok(conn)
}

/// Greeting, EHLO and STARTTLS in the clear (RFC 3207 §4). Reads line by line from the raw
/// socket and stops at the `220` reply to STARTTLS, so nothing the server sent in the clear
/// is carried into the TLS session.
async fn starttls(tcp: TcpStream, t: &Timeouts) -> anyhow::Result<TcpStream> {
    let mut r = BufReader::with_capacity(1, tcp);
    let greeting = reply(&mut r, t)
        .await
        .context("Reading the SMTP greeting")?;
    if !greeting.starts_with("220") {
        anyhow::bail!(crate::Error::new(
            ErrorKind::Network,
            format!("The outgoing server is not ready: {}", greeting.trim())
        ));
    }
    write(&mut r, "EHLO tern.localdomain\r\n", t).await?;
    let ehlo = reply(&mut r, t).await.context("Reading the EHLO reply")?;
    // `get`, not slicing: a hostile server's multi-byte characters must not panic us.
    let offers = ehlo.lines().any(|l| {
        l.starts_with("250")
            && l.get(4..)
                .is_some_and(|ext| ext.trim().eq_ignore_ascii_case("STARTTLS"))
    });
    if !offers {
        anyhow::bail!(crate::Error::new(
            ErrorKind::Tls,
            "The outgoing server does not offer STARTTLS, so the connection cannot be encrypted",
        ));
    }
    write(&mut r, "STARTTLS\r\n", t).await?;
    let ok = reply(&mut r, t).await.context("Waiting for STARTTLS")?;
    if !ok.starts_with("220") {
        anyhow::bail!(crate::Error::new(
            ErrorKind::Tls,
            format!("The outgoing server refused STARTTLS: {}", ok.trim()),
        ));
    }
    // Whatever the server sent after its 220 is dropped, never read as if it came over TLS
    // (RFC 3207 §4.2: the client discards knowledge from before the handshake).
    let tcp = r.into_inner();
    crate::imap::connect::discard_pending(&tcp, "SMTP");
    Ok(tcp)
}

/// One SMTP reply, possibly multi-line (`250-...` then `250 ...`, RFC 5321 §4.2.1).
/// Before TLS the server is not trusted with our memory: a reply line may be at most
/// `MAX_LINE` bytes (RFC 5321 §4.5.3.1.5 allows 512) and a reply at most `MAX_REPLY`.
async fn reply(r: &mut BufReader<TcpStream>, t: &Timeouts) -> anyhow::Result<String> {
    const MAX_LINE: u64 = 4096;
    const MAX_REPLY: usize = 64 * 1024;
    let mut all = String::new();
    loop {
        let mut line = String::new();
        let mut limited = (&mut *r).take(MAX_LINE);
        let n = tokio::time::timeout(t.command, limited.read_line(&mut line)).await??;
        if n == 0 {
            anyhow::bail!(crate::Error::new(
                ErrorKind::Network,
                "The outgoing server closed the connection"
            ));
        }
        if !line.ends_with('\n') || all.len() + line.len() > MAX_REPLY {
            anyhow::bail!(crate::Error::new(
                ErrorKind::Protocol,
                "The outgoing server sent a reply far longer than SMTP allows"
            ));
        }
        all.push_str(&line);
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            return Ok(all);
        }
    }
}

async fn write(r: &mut BufReader<TcpStream>, s: &str, t: &Timeouts) -> anyhow::Result<()> {
    tokio::time::timeout(t.command, r.get_mut().write_all(s.as_bytes())).await??;
    Ok(())
}

trait Io: AsyncRead + AsyncWrite + Send + Sync + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Sync + Unpin> Io for T {}

/// The stream handed to lettre: TLS (or plain TCP), with optional bytes to read first.
struct Stream {
    inner: Box<dyn Io>,
    prefix: Vec<u8>,
    peer: Option<SocketAddr>,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream").field("peer", &self.peer).finish()
    }
}

impl AsyncTokioStream for Stream {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.peer
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "no peer address"))
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.prefix.is_empty() {
            let n = self.prefix.len().min(buf.remaining());
            let head: Vec<u8> = self.prefix.drain(..n).collect();
            buf.put_slice(&head);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Whether the provider saves submitted mail in Sent by itself, so an APPEND would make a
/// second copy. Known by host: Gmail files every message sent through its SMTP into
/// "[Gmail]/Sent Mail"; Outlook.com / Microsoft 365 do the same. Everyone else (Dovecot,
/// Fastmail, most ISPs) needs the client's APPEND.
pub fn server_saves_sent(server: &Server) -> bool {
    let host = server.host.to_ascii_lowercase();
    [
        "smtp.gmail.com",
        "smtp.googlemail.com",
        "smtp.office365.com",
        "smtp-mail.outlook.com",
    ]
    .contains(&host.as_str())
}
