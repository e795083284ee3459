//! The raw reference client: IMAP over tokio-rustls with no parsing beyond finding the end
//! of each response (literals `{n}` are skipped by length, so their content never matters).

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::{self, pki_types::ServerName, RootCertStore};

/// The items of the reference FETCH (what the brief and FACTS.md measure).
pub const ENVELOPE_ITEMS: &str = "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)";

/// Where and as whom the raw client logs in.
#[derive(Clone)]
pub struct Target {
    pub port: u16,
    pub ca_file: PathBuf,
    pub user: String,
    pub password: String,
}

/// What one command's response amounted to.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Bytes received, tagged line included.
    pub bytes: u64,
    /// Untagged (`* `) responses seen.
    pub untagged: u64,
    /// Untagged `* n FETCH` responses among them.
    pub fetches: u64,
    /// The untagged responses themselves, when asked to keep them (literals left out).
    pub kept: Vec<Vec<u8>>,
}

/// One connection, logged in and (optionally) with a folder selected.
pub struct Raw {
    io: BufReader<TlsStream<TcpStream>>,
    line: Vec<u8>,
    next_tag: u32,
}

fn connector(ca_file: &PathBuf) -> Result<tokio_rustls::TlsConnector> {
    let pem = std::fs::read(ca_file).with_context(|| format!("reading {}", ca_file.display()))?;
    let mut roots = RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        roots
            .add(cert.context("parsing the testbed CA")?)
            .context("adding the testbed CA")?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// Quotes a string for an IMAP command.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The length of a literal announced at the end of `line` (`{n}`, `{n+}` or `~{n}`).
fn literal_len(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}\r\n")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Whether an untagged line is `* <number> FETCH ...`.
fn is_fetch(line: &[u8]) -> bool {
    let rest = &line[2..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && rest[digits..].starts_with(b" FETCH")
}

impl Raw {
    /// Connects over implicit TLS (server name "localhost") and reads the greeting.
    pub async fn connect(t: &Target) -> Result<Raw> {
        let tcp = TcpStream::connect(("127.0.0.1", t.port))
            .await
            .context("connecting to the testbed")?;
        tcp.set_nodelay(true)?;
        let name = ServerName::try_from("localhost").context("server name")?;
        let tls = connector(&t.ca_file)?
            .connect(name, tcp)
            .await
            .context("TLS handshake with the testbed")?;
        let mut raw = Raw {
            io: BufReader::with_capacity(64 * 1024, tls),
            line: Vec::with_capacity(8 * 1024),
            next_tag: 0,
        };
        raw.read_line().await?;
        if !raw.line.starts_with(b"* OK") {
            bail!(
                "unexpected greeting: {}",
                String::from_utf8_lossy(&raw.line)
            );
        }
        Ok(raw)
    }

    /// Connects, logs in and selects `folder`.
    pub async fn open(t: &Target, folder: &str) -> Result<Raw> {
        let mut raw = Raw::connect(t).await?;
        raw.command(
            &format!("LOGIN {} {}", quote(&t.user), quote(&t.password)),
            false,
        )
        .await
        .context("LOGIN")?;
        raw.command(&format!("SELECT {}", quote(folder)), false)
            .await
            .context("SELECT")?;
        Ok(raw)
    }

    async fn read_line(&mut self) -> Result<usize> {
        self.line.clear();
        let n = self.io.read_until(b'\n', &mut self.line).await?;
        if n == 0 {
            bail!("the server closed the connection");
        }
        Ok(n)
    }

    async fn skip(&mut self, mut n: usize) -> Result<()> {
        while n > 0 {
            let buf = self.io.fill_buf().await?;
            if buf.is_empty() {
                bail!("the server closed the connection inside a literal");
            }
            let k = buf.len().min(n);
            self.io.consume(k);
            n -= k;
        }
        Ok(())
    }

    /// Sends `cmd` under the fixed tag `a` and reads to its tagged OK.
    pub async fn run_a(&mut self, cmd: &str, keep: bool) -> Result<Outcome> {
        self.send_and_read("a", cmd, keep).await
    }

    /// Sends `cmd` under a fresh tag and reads to its tagged OK.
    pub async fn command(&mut self, cmd: &str, keep: bool) -> Result<Outcome> {
        self.next_tag += 1;
        let tag = format!("t{}", self.next_tag);
        self.send_and_read(&tag, cmd, keep).await
    }

    async fn send_and_read(&mut self, tag: &str, cmd: &str, keep: bool) -> Result<Outcome> {
        let io = self.io.get_mut();
        io.write_all(format!("{tag} {cmd}\r\n").as_bytes()).await?;
        io.flush().await?;
        let done = format!("{tag} ");
        let mut out = Outcome::default();
        let mut current: Vec<u8> = Vec::new();
        let mut at_start = true;
        loop {
            out.bytes += self.read_line().await? as u64;
            if at_start {
                if self.line.starts_with(done.as_bytes()) {
                    let rest = &self.line[done.len()..];
                    if !rest.starts_with(b"OK") {
                        bail!(
                            "{tag} failed: {}",
                            String::from_utf8_lossy(&self.line).trim()
                        );
                    }
                    return Ok(out);
                }
                if self.line.starts_with(b"* ") {
                    out.untagged += 1;
                    if is_fetch(&self.line) {
                        out.fetches += 1;
                    }
                }
            }
            if keep {
                current.extend_from_slice(&self.line);
            }
            match literal_len(&self.line) {
                Some(n) => {
                    out.bytes += n as u64;
                    self.skip(n).await?;
                    at_start = false;
                }
                None => {
                    at_start = true;
                    if keep {
                        out.kept.push(std::mem::take(&mut current));
                    }
                }
            }
        }
    }

    /// `UID SEARCH ALL` of the selected folder, sorted.
    pub async fn uids(&mut self) -> Result<Vec<u32>> {
        let out = self.command("UID SEARCH ALL", true).await?;
        let mut uids = Vec::new();
        for line in &out.kept {
            let text = String::from_utf8_lossy(line);
            if let Some(rest) = text.trim_end().strip_prefix("* SEARCH") {
                for w in rest.split_whitespace() {
                    uids.push(w.parse::<u32>().with_context(|| format!("UID {w:?}"))?);
                }
            }
        }
        uids.sort_unstable();
        Ok(uids)
    }

    /// APPENDs `message` to `folder` as one non-synchronizing literal (RFC 7888 LITERAL+).
    pub async fn append(&mut self, folder: &str, message: &[u8]) -> Result<()> {
        self.next_tag += 1;
        let tag = format!("t{}", self.next_tag);
        let io = self.io.get_mut();
        io.write_all(
            format!("{tag} APPEND {} {{{}+}}\r\n", quote(folder), message.len()).as_bytes(),
        )
        .await?;
        io.write_all(message).await?;
        io.write_all(b"\r\n").await?;
        io.flush().await?;
        self.read_to_tag(&tag).await
    }

    async fn read_to_tag(&mut self, tag: &str) -> Result<()> {
        let done = format!("{tag} ");
        loop {
            self.read_line().await?;
            if self.line.starts_with(done.as_bytes()) {
                if !self.line[done.len()..].starts_with(b"OK") {
                    bail!(
                        "{tag} failed: {}",
                        String::from_utf8_lossy(&self.line).trim()
                    );
                }
                return Ok(());
            }
        }
    }

    /// Enters IDLE (RFC 2177) on the selected folder and returns once the server accepted it.
    pub async fn idle_start(&mut self) -> Result<()> {
        let io = self.io.get_mut();
        io.write_all(b"idle IDLE\r\n").await?;
        io.flush().await?;
        loop {
            self.read_line().await?;
            if self.line.starts_with(b"+") {
                return Ok(());
            }
            if self.line.starts_with(b"idle ") {
                bail!(
                    "IDLE refused: {}",
                    String::from_utf8_lossy(&self.line).trim()
                );
            }
        }
    }

    /// In IDLE: waits for the next `* n EXISTS`.
    pub async fn idle_exists(&mut self) -> Result<()> {
        loop {
            self.read_line().await?;
            let l = &self.line;
            if l.starts_with(b"* ") && l.trim_ascii_end().ends_with(b" EXISTS") {
                return Ok(());
            }
        }
    }

    /// Leaves IDLE.
    pub async fn idle_done(&mut self) -> Result<()> {
        let io = self.io.get_mut();
        io.write_all(b"DONE\r\n").await?;
        io.flush().await?;
        self.read_to_tag("idle").await
    }

    pub async fn logout(mut self) {
        let _ = self.command("LOGOUT", false).await;
    }
}

/// One timed reference pass.
#[derive(Debug)]
pub struct Pass {
    /// Connect, TLS, LOGIN and SELECT.
    pub setup: Duration,
    /// From sending the FETCH to its tagged OK.
    pub fetch: Duration,
    pub bytes: u64,
    pub fetched: u64,
}

/// Opens a fresh connection to `folder` and times `a UID FETCH 1:* items`, discarding the
/// reply.
pub async fn fetch_pass(t: &Target, folder: &str, items: &str) -> Result<Pass> {
    let start = Instant::now();
    let mut raw = Raw::open(t, folder).await?;
    let setup = start.elapsed();
    let start = Instant::now();
    let out = raw
        .run_a(&format!("UID FETCH 1:* {items}"), false)
        .await
        .context("raw UID FETCH")?;
    let fetch = start.elapsed();
    raw.logout().await;
    Ok(Pass {
        setup,
        fetch,
        bytes: out.bytes,
        fetched: out.fetches,
    })
}

#[cfg(test)]
mod tests {
    use super::literal_len;

    #[test]
    fn literals() {
        assert_eq!(literal_len(b"* 1 FETCH (BODY[] {12}\r\n"), Some(12));
        assert_eq!(literal_len(b"a {3+}\r\n"), Some(3));
        assert_eq!(literal_len(b"* 1 FETCH (UID 1)\r\n"), None);
        assert_eq!(literal_len(b"x {}\r\n"), None);
        assert!(super::is_fetch(b"* 12 FETCH (UID 3)\r\n"));
        assert!(!super::is_fetch(b"* OK [HIGHESTMODSEQ 5] x\r\n"));
    }
}
