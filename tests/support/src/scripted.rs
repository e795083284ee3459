//! A scripted IMAP and SMTP server on 127.0.0.1 for connection-security tests: it plays a
//! fixed part (greeting, capabilities, STARTTLS, optional bytes injected in the clear),
//! switches to TLS with a certificate made in the test (rcgen), and records every byte the
//! client sent, marked as sent in the clear or over TLS.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tern_engine::{AccountConfig, Security, Server, Trust};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

/// What is wrong with a server certificate, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertKind {
    /// Signed by the test CA for localhost and 127.0.0.1, valid now.
    Good,
    /// Signed by the test CA, but it expired in 2021.
    Expired,
    /// Signed by itself (not by the CA), for the right names.
    SelfSigned,
    /// Signed by the test CA, for mail.example.com only.
    WrongHost,
}

/// A test CA (written to a PEM file an account can trust) and certificates it makes.
pub struct TestCa {
    _dir: tempfile::TempDir,
    pub ca_file: PathBuf,
    issuer: Issuer<'static, KeyPair>,
}

/// A server certificate and its key.
#[derive(Clone)]
pub struct ServerCert {
    pub der: CertificateDer<'static>,
    key: Vec<u8>,
}

impl ServerCert {
    /// The SHA-256 fingerprint as Tern shows it.
    pub fn fingerprint(&self) -> String {
        tern_engine::tls::fingerprint(&self.der)
    }
}

/// Where a scripted server listens on 127.0.0.1, as alice's account would name it.
pub fn server(port: u16, security: Security) -> Server {
    Server {
        host: "127.0.0.1".into(),
        port,
        security,
        username: "alice".into(),
        allow_plaintext: false,
    }
}

impl TestCa {
    /// alice's account on a scripted IMAP server at `port`, trusting this CA.
    pub fn account(&self, port: u16, security: Security) -> AccountConfig {
        AccountConfig {
            email: "alice@example.org".into(),
            display_name: "Alice".into(),
            imap: server(port, security),
            smtp: None,
            trust: Trust {
                ca_file: Some(self.ca_file.to_string_lossy().into_owned()),
                pinned_sha256: vec![],
            },
            notify: true,
            password_command: None,
        }
    }

    pub fn new() -> TestCa {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "Tern scripted-server CA");
        let cert = params.self_signed(&key).expect("CA certificate");
        let dir = tempfile::tempdir().expect("tempdir");
        let ca_file = dir.path().join("ca.pem");
        std::fs::File::create(&ca_file)
            .and_then(|mut f| f.write_all(cert.pem().as_bytes()))
            .expect("write CA file");
        TestCa {
            _dir: dir,
            ca_file,
            issuer: Issuer::new(params, key),
        }
    }

    pub fn cert(&self, kind: CertKind) -> ServerCert {
        let names: Vec<String> = match kind {
            CertKind::WrongHost => vec!["mail.example.com".into()],
            _ => vec!["localhost".into(), "127.0.0.1".into()],
        };
        let key = KeyPair::generate().expect("server key");
        let mut params = CertificateParams::new(names).expect("server params");
        params
            .distinguished_name
            .push(DnType::CommonName, "scripted server");
        if kind == CertKind::Expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let cert = match kind {
            CertKind::SelfSigned => params.self_signed(&key),
            _ => params.signed_by(&key, &self.issuer),
        }
        .expect("server certificate");
        ServerCert {
            der: cert.der().clone(),
            key: key.serialize_der(),
        }
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}

/// The part the server plays.
#[derive(Clone)]
pub struct Script {
    /// TLS from the first byte (IMAP 993, SMTP 465) instead of the clear.
    pub implicit_tls: bool,
    /// The greeting line without CRLF, e.g. `* OK hi` or `* PREAUTH hi` (IMAP), `220 hi`.
    pub greeting: String,
    /// Capabilities (IMAP) or EHLO keywords (SMTP) offered before TLS.
    pub caps_clear: String,
    /// Capabilities or EHLO keywords offered over TLS.
    pub caps_tls: String,
    /// Bytes sent in the same write as the reply to STARTTLS, before the handshake.
    pub inject: Option<String>,
    pub cert: Option<ServerCert>,
    /// IMAP replies that replace the usual ones: (command, reply with `{tag}` for the tag).
    pub overrides: Vec<(String, String)>,
}

impl Script {
    /// A well-behaved IMAP server offering STARTTLS with `cert`.
    pub fn imap_starttls(cert: ServerCert) -> Script {
        Script {
            implicit_tls: false,
            greeting: "* OK Scripted IMAP ready".into(),
            caps_clear: "IMAP4rev1 STARTTLS LOGINDISABLED".into(),
            caps_tls: "IMAP4rev1 AUTH=PLAIN".into(),
            inject: None,
            cert: Some(cert),
            overrides: Vec::new(),
        }
    }

    /// A well-behaved IMAP server with implicit TLS.
    pub fn imap_tls(cert: ServerCert) -> Script {
        Script {
            implicit_tls: true,
            greeting: "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Scripted IMAP ready".into(),
            ..Script::imap_starttls(cert)
        }
    }

    /// A well-behaved SMTP submission server offering STARTTLS with `cert`.
    pub fn smtp_starttls(cert: ServerCert) -> Script {
        Script {
            implicit_tls: false,
            greeting: "220 scripted ESMTP".into(),
            caps_clear: "STARTTLS".into(),
            caps_tls: "AUTH PLAIN LOGIN".into(),
            inject: None,
            cert: Some(cert),
            overrides: Vec::new(),
        }
    }
}

/// Bytes the client sent: `(over_tls, bytes)` in order.
pub type Record = Arc<Mutex<Vec<(bool, Vec<u8>)>>>;

/// A running scripted server; it stops when dropped.
pub struct Scripted {
    pub port: u16,
    record: Record,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Imap,
    Smtp,
}

impl Scripted {
    pub async fn start(protocol: Protocol, script: Script) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().unwrap().port();
        let record: Record = Arc::default();
        let rec = record.clone();
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = accepted.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let (script, rec) = (script.clone(), rec.clone());
                tokio::spawn(async move {
                    let _ = serve(protocol, tcp, script, rec).await;
                });
            }
        });
        Scripted {
            port,
            record,
            accepted,
            task,
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Everything the client sent in the clear.
    pub fn clear_bytes(&self) -> Vec<u8> {
        self.bytes(false)
    }

    /// Everything the client sent over TLS.
    pub fn tls_bytes(&self) -> Vec<u8> {
        self.bytes(true)
    }

    fn bytes(&self, tls: bool) -> Vec<u8> {
        self.record
            .lock()
            .unwrap()
            .iter()
            .filter(|(t, _)| *t == tls)
            .flat_map(|(_, b)| b.clone())
            .collect()
    }
}

fn acceptor(cert: &ServerCert) -> tokio_rustls::TlsAcceptor {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key.clone()));
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.der.clone()], key)
        .expect("server config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

async fn serve(protocol: Protocol, tcp: TcpStream, s: Script, rec: Record) -> std::io::Result<()> {
    let tls = s.cert.as_ref().map(acceptor);
    if s.implicit_tls {
        let stream = tls.expect("a certificate").accept(tcp).await?;
        talk(protocol, stream, true, true, &s, &rec).await?;
        return Ok(());
    }
    let mut tcp = tcp;
    if talk(protocol, &mut tcp, false, true, &s, &rec).await? {
        let stream = tls.expect("a certificate").accept(tcp).await?;
        talk(protocol, stream, true, false, &s, &rec).await?;
    }
    Ok(())
}

/// One phase of the conversation. Returns true when the client asked for STARTTLS and the
/// handshake should follow.
async fn talk<S: AsyncRead + AsyncWrite + Unpin>(
    protocol: Protocol,
    mut io: S,
    tls: bool,
    greet: bool,
    s: &Script,
    rec: &Record,
) -> std::io::Result<bool> {
    if greet {
        io.write_all(format!("{}\r\n", s.greeting).as_bytes())
            .await?;
    }
    let caps = if tls { &s.caps_tls } else { &s.caps_clear };
    loop {
        let Some(line) = read_line(&mut io, tls, rec).await? else {
            return Ok(false);
        };
        let reply = match protocol {
            Protocol::Imap => imap_reply(&mut io, &line, caps, tls, s, rec).await?,
            Protocol::Smtp => smtp_reply(&mut io, &line, caps, tls, s, rec).await?,
        };
        match reply {
            Reply::Send(text) => io.write_all(text.as_bytes()).await?,
            Reply::StartTls(text) => {
                io.write_all(text.as_bytes()).await?;
                io.flush().await?;
                return Ok(true);
            }
            Reply::Close(text) => {
                io.write_all(text.as_bytes()).await?;
                return Ok(false);
            }
        }
    }
}

enum Reply {
    Send(String),
    StartTls(String),
    Close(String),
}

async fn imap_reply<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    line: &str,
    caps: &str,
    tls: bool,
    s: &Script,
    rec: &Record,
) -> std::io::Result<Reply> {
    let mut words = line.split_whitespace();
    let tag = words.next().unwrap_or("*").to_string();
    let cmd = words.next().unwrap_or("").to_ascii_uppercase();
    if let Some((_, reply)) = s
        .overrides
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(&cmd))
    {
        return Ok(Reply::Send(reply.replace("{tag}", &tag)));
    }
    Ok(match cmd.as_str() {
        "CAPABILITY" => Reply::Send(format!("* CAPABILITY {caps}\r\n{tag} OK done\r\n")),
        "STARTTLS" if !tls && caps.contains("STARTTLS") => Reply::StartTls(format!(
            "{tag} OK Begin TLS\r\n{}",
            s.inject.clone().unwrap_or_default()
        )),
        "STARTTLS" => Reply::Send(format!("{tag} BAD no STARTTLS here\r\n")),
        "LOGIN" => Reply::Send(format!("{tag} OK Logged in\r\n")),
        "AUTHENTICATE" => {
            io.write_all(b"+ \r\n").await?;
            read_line(io, tls, rec).await?;
            Reply::Send(format!("{tag} OK Logged in\r\n"))
        }
        "LIST" => Reply::Send(format!(
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\n{tag} OK done\r\n"
        )),
        "LOGOUT" => Reply::Close(format!("* BYE bye\r\n{tag} OK done\r\n")),
        _ => Reply::Send(format!("{tag} OK done\r\n")),
    })
}

async fn smtp_reply<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    line: &str,
    caps: &str,
    tls: bool,
    s: &Script,
    rec: &Record,
) -> std::io::Result<Reply> {
    let verb = line
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    Ok(match verb.as_str() {
        "EHLO" | "HELO" => {
            let mut text = String::from("250-scripted\r\n");
            for c in caps.split(',') {
                text.push_str(&format!("250-{}\r\n", c.trim()));
            }
            text.push_str("250 8BITMIME\r\n");
            Reply::Send(text)
        }
        "STARTTLS" if !tls && caps.contains("STARTTLS") => Reply::StartTls(format!(
            "220 go ahead\r\n{}",
            s.inject.clone().unwrap_or_default()
        )),
        "AUTH" => Reply::Send("235 2.7.0 Authenticated\r\n".into()),
        "DATA" => {
            io.write_all(b"354 go on\r\n").await?;
            while let Some(l) = read_line(io, tls, rec).await? {
                if l == ".\r\n" {
                    break;
                }
            }
            Reply::Send("250 2.0.0 queued\r\n".into())
        }
        "QUIT" => Reply::Close("221 bye\r\n".into()),
        "STARTTLS" => Reply::Send("502 not here\r\n".into()),
        _ => Reply::Send("250 ok\r\n".into()),
    })
}

/// Reads one line byte by byte (nothing past it, so a handshake can follow), recording it.
async fn read_line<S: AsyncRead + Unpin>(
    io: &mut S,
    tls: bool,
    rec: &Record,
) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    loop {
        let mut b = [0u8; 1];
        if io.read(&mut b).await? == 0 {
            return Ok(None);
        }
        line.push(b[0]);
        if b[0] == b'\n' {
            break;
        }
    }
    rec.lock().unwrap().push((tls, line.clone()));
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}
