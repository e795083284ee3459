//! Opening an authenticated IMAP session: TCP, TLS or STARTTLS, capabilities, login.

use super::{net, timed, trace, Session, Timeouts};
use crate::account::{Security, Server, Trust};
use crate::error::{err, ErrorKind};
use crate::tls::{self, TlsSetup};
use anyhow::{Context, Result};
use std::collections::HashSet;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// Anything an IMAP session can run over: a TCP stream, with or without TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + Sync + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync + std::fmt::Debug> Io for T {}

/// What the server advertised after login, upper-cased.
#[derive(Debug, Clone, Default)]
pub struct Capabilities(pub HashSet<String>);

impl Capabilities {
    pub fn has(&self, cap: &str) -> bool {
        self.0.contains(&cap.to_ascii_uppercase())
    }

    pub(crate) fn from_line(line: &str) -> Capabilities {
        // "* CAPABILITY IMAP4rev1 ..." or "* OK [CAPABILITY IMAP4rev1 ...] greeting"
        let upper = line.to_ascii_uppercase();
        let Some(start) = upper.find("CAPABILITY ") else {
            return Capabilities::default();
        };
        let rest = &upper[start + "CAPABILITY ".len()..];
        let rest = rest.split(']').next().unwrap_or(rest);
        Capabilities(rest.split_whitespace().map(str::to_string).collect())
    }
}

/// Connects, secures and logs in. The password is used only for this login.
pub async fn open(
    server: &Server,
    trust: &Trust,
    password: &str,
    t: &Timeouts,
) -> Result<(Session, Capabilities)> {
    if server.security == Security::Plain && !server.allow_plaintext {
        return Err(err(
            ErrorKind::Config,
            "Refusing to send the password without encryption; allow plain text for this account explicitly",
        ));
    }
    let addr = (server.host.as_str(), server.port);
    let tcp = net(t.connect, TcpStream::connect(addr))
        .await
        .with_context(|| format!("Connecting to {}:{}", server.host, server.port))?;
    tcp.set_nodelay(true).ok();

    let tls = match server.security {
        Security::Plain => None,
        _ => Some(TlsSetup::new(trust)?),
    };
    let mut stream: Box<dyn Io> = match (&server.security, &tls) {
        (Security::Tls, Some(tls)) => Box::new(handshake(tls, &server.host, tcp, t).await?),
        (Security::StartTls, Some(tls)) => {
            let mut tcp = tcp;
            let greeting = read_line(&mut tcp, t)
                .await
                .context("Reading the server greeting")?;
            check_greeting(&greeting, Security::StartTls)?;
            let caps = capabilities_raw(&mut tcp, &greeting, t).await?;
            if !caps.has("STARTTLS") {
                // A missing STARTTLS is an error, never a silent downgrade (RFC 3501 §6.2.1).
                return Err(err(
                    ErrorKind::Tls,
                    "The server does not offer STARTTLS, so the connection cannot be encrypted",
                ));
            }
            send(&mut tcp, "T1 STARTTLS\r\n", t).await?;
            loop {
                let line = read_line(&mut tcp, t)
                    .await
                    .context("Waiting for STARTTLS")?;
                if let Some(status) = line.strip_prefix("T1 ") {
                    if !status.to_ascii_uppercase().starts_with("OK") {
                        return Err(err(
                            ErrorKind::Tls,
                            format!("The server refused STARTTLS: {}", line.trim()),
                        ));
                    }
                    break;
                }
            }
            // Nothing the server sent before the handshake is kept (RFC 2595 §3.1, RFC 3207
            // §4.2): lines were read byte by byte up to the tagged OK, and whatever already
            // sits behind it is thrown away, so a response injected in the clear can never
            // be read as one that came over TLS (the CVE-2011-0411 class).
            discard_pending(&tcp, "IMAP");
            Box::new(handshake(tls, &server.host, tcp, t).await?)
        }
        _ => Box::new(tcp),
    };
    if let Some(sink) = trace::from_env() {
        let what = match server.security {
            Security::Tls => "with TLS",
            Security::StartTls => "with STARTTLS, traced from the TLS handshake on",
            Security::Plain => "without encryption",
        };
        let label = format!("{}:{} {what}", server.host, server.port);
        stream = Box::new(trace::Traced::new(stream, sink, &label));
    }

    if server.security != Security::StartTls {
        let greeting = read_line(&mut stream, t)
            .await
            .context("Reading the server greeting")?;
        check_greeting(&greeting, server.security)?;
        let caps = capabilities_raw(&mut stream, &greeting, t).await?;
        return login(stream, server, password, caps, t).await;
    }
    // After STARTTLS the capabilities must be read again (RFC 3501 §6.2.1).
    let caps = capabilities_raw(&mut stream, "", t).await?;
    login(stream, server, password, caps, t).await
}

pub(crate) async fn handshake(
    tls: &TlsSetup,
    host: &str,
    tcp: TcpStream,
    t: &Timeouts,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let name = tls::server_name(host)?;
    match net(t.connect, tls.connector.connect(name, tcp)).await {
        Ok(s) => Ok(s),
        Err(e) => {
            let why = rustls_cause(&e).and_then(tls::explain);
            let mut kinded = crate::Error::new(
                ErrorKind::Tls,
                match why {
                    Some(why) => {
                        format!("The certificate of {host} {why}, so Tern did not connect ({e:#})")
                    }
                    None => format!("TLS with {host} failed: {e:#}"),
                },
            );
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io
                    .get_ref()
                    .is_none_or(|inner| !inner.is::<tokio_rustls::rustls::Error>())
                {
                    kinded.kind = ErrorKind::Network;
                }
            }
            if e.downcast_ref::<tokio::time::error::Elapsed>().is_some() {
                kinded.kind = ErrorKind::Timeout;
            }
            if kinded.kind == ErrorKind::Tls {
                kinded.cert_fingerprint = tls.presented_fingerprint();
                if let Some(fp) = &kinded.cert_fingerprint {
                    match why.and_then(|_| tls.refusal(host, fp)) {
                        Some(changed) => kinded.message = format!("{changed} ({e:#})"),
                        None => kinded
                            .message
                            .push_str(&format!(" (certificate SHA-256 {fp})")),
                    }
                }
            }
            Err(anyhow::Error::new(kinded))
        }
    }
}

/// Bytes already received and not read, thrown away: what a server (or someone in the
/// path) sent after agreeing to STARTTLS and before the handshake. Returns how many.
pub(crate) fn discard_pending(tcp: &TcpStream, what: &str) -> usize {
    let mut buf = [0u8; 4096];
    let mut total = 0;
    // `try_read` never waits: it returns what the kernel already holds.
    while let Ok(n) = tcp.try_read(&mut buf) {
        if n == 0 {
            break;
        }
        total += n;
    }
    if total > 0 {
        tracing::warn!(
            "{what}: discarded {total} bytes the server sent in the clear before the TLS handshake"
        );
    }
    total
}

/// The rustls error under a failed handshake, if that is what it was.
fn rustls_cause(e: &anyhow::Error) -> Option<&tokio_rustls::rustls::Error> {
    e.chain().find_map(|c| {
        c.downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<tokio_rustls::rustls::Error>())
            .or_else(|| c.downcast_ref::<tokio_rustls::rustls::Error>())
    })
}

/// Checks the greeting for the security the account chose (RFC 3501 §7.1).
pub(crate) fn check_greeting(greeting: &str, security: Security) -> Result<()> {
    let upper = greeting.to_ascii_uppercase();
    if upper.starts_with("* OK") {
        Ok(())
    } else if upper.starts_with("* PREAUTH") && security == Security::StartTls {
        // PREAUTH puts the connection in the authenticated state, where STARTTLS is no
        // longer allowed (RFC 3501 §6.2.1, §7.1.4): accepting it would mean carrying on
        // without encryption. Refuse it (RFC 2595 §3.1: the client must not proceed).
        Err(err(
            ErrorKind::Tls,
            "The server greeted with PREAUTH before STARTTLS, which would leave the connection unencrypted; refusing",
        ))
    } else if upper.starts_with("* PREAUTH") {
        // Tern logs in itself; a connection someone else authenticated is not the account.
        Err(err(
            ErrorKind::Protocol,
            "The server greeted with PREAUTH (already logged in); Tern logs in itself and refuses such a connection",
        ))
    } else if upper.starts_with("* BYE") {
        Err(err(
            ErrorKind::Network,
            format!("The server closed the connection: {}", greeting.trim()),
        ))
    } else {
        Err(err(
            ErrorKind::Protocol,
            format!("Unexpected server greeting: {}", greeting.trim()),
        ))
    }
}

/// Capabilities from the greeting, or from a CAPABILITY command when the greeting had none.
async fn capabilities_raw<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    greeting: &str,
    t: &Timeouts,
) -> Result<Capabilities> {
    let caps = Capabilities::from_line(greeting);
    if !caps.0.is_empty() {
        return Ok(caps);
    }
    send(s, "T0 CAPABILITY\r\n", t).await?;
    let mut caps = Capabilities::default();
    loop {
        let line = read_line(s, t).await.context("Reading capabilities")?;
        if line.to_ascii_uppercase().starts_with("* CAPABILITY") {
            caps = Capabilities::from_line(&line);
        } else if line.starts_with("T0 ") {
            return Ok(caps);
        }
    }
}

async fn login(
    stream: Box<dyn Io>,
    server: &Server,
    password: &str,
    caps: Capabilities,
    t: &Timeouts,
) -> Result<(Session, Capabilities)> {
    let client = async_imap::Client::new(stream);
    let result = if caps.has("AUTH=PLAIN") {
        let auth = PlainAuth {
            user: server.username.clone(),
            password: password.to_string(),
        };
        timed(t.command, client.authenticate("PLAIN", auth)).await?
    } else if caps.has("LOGINDISABLED") {
        return Err(err(
            ErrorKind::Auth,
            "The server does not allow logging in on this connection",
        ));
    } else {
        timed(t.command, client.login(&server.username, password)).await?
    };
    let mut session = match result {
        Ok(s) => s,
        Err((async_imap::error::Error::No(msg), _))
        | Err((async_imap::error::Error::Bad(msg), _)) => {
            return Err(err(
                ErrorKind::Auth,
                format!(
                    "The server rejected the user name or password for {} ({})",
                    server.username,
                    short(&msg)
                ),
            ));
        }
        Err((e, _)) => return Err(anyhow::Error::new(e).context("Logging in")),
    };
    // Capabilities may change after login (RFC 3501 §6.2.3, §7.2.1).
    let after = net(t.command, session.capabilities())
        .await
        .context("Reading capabilities after login")?;
    let caps = Capabilities(
        after
            .iter()
            .map(|c| match c {
                async_imap::types::Capability::Imap4rev1 => "IMAP4REV1".to_string(),
                async_imap::types::Capability::Auth(a) => {
                    format!("AUTH={}", a.to_ascii_uppercase())
                }
                async_imap::types::Capability::Atom(a) => a.to_ascii_uppercase(),
            })
            .collect(),
    );
    Ok((session, caps))
}

/// Keeps only the human part of an async-imap NO/BAD message.
fn short(msg: &str) -> String {
    msg.split("info: Some(\"")
        .nth(1)
        .and_then(|s| s.split("\")").next())
        .unwrap_or(msg)
        .to_string()
}

struct PlainAuth {
    user: String,
    password: String,
}

impl async_imap::Authenticator for PlainAuth {
    type Response = Vec<u8>;
    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        // RFC 4616: authzid NUL authcid NUL passwd
        let mut v = Vec::with_capacity(self.user.len() + self.password.len() + 2);
        v.push(0);
        v.extend_from_slice(self.user.as_bytes());
        v.push(0);
        v.extend_from_slice(self.password.as_bytes());
        v
    }
}

async fn send<S: AsyncWrite + Unpin>(s: &mut S, line: &str, t: &Timeouts) -> Result<()> {
    net(t.command, async {
        s.write_all(line.as_bytes()).await?;
        s.flush().await
    })
    .await
    .context("Writing to the server")
}

/// Reads one CRLF-terminated line a byte at a time, so nothing past it is consumed.
/// Used only before login, where lines are short.
async fn read_line<S: AsyncRead + Unpin>(s: &mut S, t: &Timeouts) -> Result<String> {
    net(t.command, async {
        let mut line = Vec::with_capacity(256);
        loop {
            let b = s.read_u8().await?;
            line.push(b);
            if b == b'\n' {
                break;
            }
            if line.len() > 64 * 1024 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "server line too long",
                ));
            }
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_from_greeting_and_response() {
        let c = Capabilities::from_line(
            "* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS AUTH=PLAIN] Dovecot ready.\r\n",
        );
        assert!(c.has("STARTTLS") && c.has("auth=plain") && c.has("IMAP4REV1"));
        let c = Capabilities::from_line("* CAPABILITY IMAP4rev1 IDLE\r\n");
        assert!(c.has("IDLE") && !c.has("STARTTLS"));
        assert!(Capabilities::from_line("* OK ready\r\n").0.is_empty());
    }

    #[test]
    fn preauth_is_refused_when_tls_is_required() {
        let kind = |g: &str, s| crate::Error::from(check_greeting(g, s).unwrap_err()).kind;
        assert_eq!(
            kind("* PREAUTH welcome\r\n", Security::StartTls),
            ErrorKind::Tls
        );
        assert_eq!(kind("* preauth hi\r\n", Security::Tls), ErrorKind::Protocol);
        assert_eq!(
            kind("* PREAUTH hi\r\n", Security::Plain),
            ErrorKind::Protocol
        );
        assert!(check_greeting("* OK hi\r\n", Security::StartTls).is_ok());
        assert_eq!(kind("* BYE busy\r\n", Security::Plain), ErrorKind::Network);
    }

    #[test]
    fn plain_auth_encodes_rfc4616() {
        use async_imap::Authenticator;
        let mut a = PlainAuth {
            user: "u".into(),
            password: "p".into(),
        };
        assert_eq!(a.process(b""), b"\0u\0p".to_vec());
    }
}
