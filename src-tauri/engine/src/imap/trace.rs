//! An opt-in IMAP protocol trace for debugging: `TERN_IMAP_TRACE=FILE` appends every line
//! each way to FILE. LOGIN and AUTHENTICATE arguments and every client line until their
//! tagged reply are redacted (RFC 3501 §6.2.2-3: that is where passwords travel), and
//! literals, which carry message bodies, headers and APPEND data, appear only as their size.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The environment variable that turns the trace on; its value is the file to append to.
pub const ENV: &str = "TERN_IMAP_TRACE";

/// Lines longer than this are cut in the trace.
const MAX_SHOWN: usize = 400;

/// The trace file, when the user asked for one. A file that cannot be opened is reported
/// once in the log and the connection goes on untraced.
pub fn from_env() -> Option<Arc<Mutex<File>>> {
    let path = std::env::var_os(ENV)?;
    match open(Path::new(&path)) {
        Ok(f) => Some(Arc::new(Mutex::new(f))),
        Err(e) => {
            tracing::warn!("Cannot open the IMAP trace file: {e}");
            None
        }
    }
}

fn open(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        // The trace shows folder names and addresses: readable by its owner only.
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// A stream that copies what passes through it, redacted, to the trace file.
pub struct Traced<S> {
    inner: S,
    sink: Arc<Mutex<File>>,
    id: u64,
    sent: Lines,
    received: Lines,
    /// The tag of a LOGIN or AUTHENTICATE in progress: client lines are secret until the
    /// server's tagged reply to it.
    secret: Option<String>,
}

impl<S> std::fmt::Debug for Traced<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Traced").field("id", &self.id).finish()
    }
}

impl<S> Traced<S> {
    pub fn new(inner: S, sink: Arc<Mutex<File>>, host: &str) -> Traced<S> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let mut t = Traced {
            inner,
            sink,
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            sent: Lines::default(),
            received: Lines::default(),
            secret: None,
        };
        t.write(&format!("-- connected to {host}"));
        t
    }

    fn write(&mut self, text: &str) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        if let Ok(mut f) = self.sink.lock() {
            let _ = writeln!(
                f,
                "{}.{:03} #{} {text}",
                now.as_secs(),
                now.subsec_millis(),
                self.id
            );
        }
    }

    fn client(&mut self, bytes: &[u8]) {
        for piece in self.sent.feed(bytes) {
            let text = match piece {
                Piece::Literal(n) if self.secret.is_some() => format!("C: <redacted {n} bytes>"),
                Piece::Literal(n) => format!("C: <literal {n} bytes>"),
                Piece::Line(l) => format!("C: {}", self.redact(&l)),
            };
            self.write(&text);
        }
    }

    fn server(&mut self, bytes: &[u8]) {
        for piece in self.received.feed(bytes) {
            let text = match piece {
                Piece::Literal(n) => format!("S: <literal {n} bytes>"),
                Piece::Line(l) => {
                    let tag = l.split(' ').next().unwrap_or("");
                    if self.secret.as_deref() == Some(tag) {
                        self.secret = None;
                    }
                    format!("S: {}", shown(&l))
                }
            };
            self.write(&text);
        }
    }

    /// A client line as it may be shown: the command word stays, secrets go.
    fn redact(&mut self, line: &str) -> String {
        if self.secret.is_some() {
            // A SASL response (RFC 3501 §6.2.2) or the rest of a LOGIN sent as literals.
            return "<redacted>".into();
        }
        let mut words = line.split(' ');
        let tag = words.next().unwrap_or("");
        let cmd = words.next().unwrap_or("").trim_end().to_ascii_uppercase();
        match cmd.as_str() {
            "LOGIN" => {
                self.secret = Some(tag.to_string());
                format!("{tag} LOGIN <redacted>")
            }
            "AUTHENTICATE" => {
                self.secret = Some(tag.to_string());
                let mech = words.next().unwrap_or("").trim_end();
                format!("{tag} AUTHENTICATE {mech} <redacted>")
            }
            _ => shown(line),
        }
    }
}

/// A line for the trace: without its line break, cut if long, control bytes escaped.
fn shown(line: &str) -> String {
    let line = line.trim_end_matches(['\r', '\n']);
    let mut s: String = line
        .chars()
        .take(MAX_SHOWN)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if line.chars().count() > MAX_SHOWN {
        s.push_str(" ...");
    }
    s
}

/// What a direction of the stream carried: a line, or a literal of so many bytes.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Line(String),
    Literal(u64),
}

/// Splits one direction into lines and literals (RFC 3501 §4.3: a line ending in `{n}`,
/// or `{n+}` under RFC 7888, is followed by exactly n bytes of literal data).
#[derive(Default)]
struct Lines {
    line: Vec<u8>,
    literal_left: u64,
    literal_size: u64,
}

impl Lines {
    fn feed(&mut self, mut bytes: &[u8]) -> Vec<Piece> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            if self.literal_left > 0 {
                let n = (self.literal_left).min(bytes.len() as u64) as usize;
                bytes = &bytes[n..];
                self.literal_left -= n as u64;
                if self.literal_left == 0 {
                    out.push(Piece::Literal(self.literal_size));
                }
                continue;
            }
            let b = bytes[0];
            bytes = &bytes[1..];
            // Keep the start of an endless line only; its end is what says "literal".
            if self.line.len() < 64 * 1024 {
                self.line.push(b);
            }
            if b == b'\n' {
                let line = String::from_utf8_lossy(&self.line).into_owned();
                self.line.clear();
                if let Some(n) = literal_size(&line) {
                    self.literal_left = n;
                    self.literal_size = n;
                }
                out.push(Piece::Line(line));
                if self.literal_left == 0 && literal_size_zero(&out) {
                    out.push(Piece::Literal(0));
                }
            }
        }
        out
    }
}

fn literal_size_zero(out: &[Piece]) -> bool {
    matches!(out.last(), Some(Piece::Line(l)) if literal_size(l) == Some(0))
}

/// The size announced at the end of a line, `{n}` or `{n+}`, if any.
fn literal_size(line: &str) -> Option<u64> {
    let l = line.trim_end_matches(['\r', '\n']);
    let inner = l.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    inner[open + 1..].trim_end_matches('+').parse().ok()
}

impl<S: AsyncRead + Unpin> AsyncRead for Traced<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            let new = buf.filled()[before..].to_vec();
            if new.is_empty() {
                self.write("-- closed by the server");
            } else {
                self.server(&new);
            }
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Traced<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            self.client(&buf[..n]);
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn traced() -> (Traced<()>, tempfile::NamedTempFile) {
        let file = tempfile::NamedTempFile::new().unwrap();
        let sink = Arc::new(Mutex::new(open(file.path()).unwrap()));
        (Traced::new((), sink, "example.org"), file)
    }

    fn text(file: &tempfile::NamedTempFile) -> String {
        std::fs::read_to_string(file.path()).unwrap()
    }

    #[test]
    fn login_and_authenticate_are_redacted() {
        let (mut t, file) = traced();
        t.server(b"* OK ready\r\n");
        t.client(b"A1 LOGIN alice \"s3cret pw\"\r\n");
        t.server(b"A1 OK logged in\r\n");
        t.client(b"A2 AUTHENTICATE PLAIN AGFsaWNlAHMzY3JldA==\r\n");
        t.server(b"A2 OK\r\n");
        t.client(b"A3 AUTHENTICATE PLAIN\r\n");
        t.server(b"+ \r\n");
        t.client(b"AGFsaWNlAHMzY3JldA==\r\n");
        t.server(b"A3 OK\r\n");
        t.client(b"A4 LOGIN {5}\r\n");
        t.server(b"+ go\r\n");
        t.client(b"alice {6}\r\nsecret\r\n");
        t.server(b"A4 OK\r\nA5 OK\r\n");
        t.client(b"A6 SELECT INBOX\r\n");
        let log = text(&file);
        for secret in ["s3cret", "AGFsaWNlAHMzY3JldA", "secret", "alice"] {
            assert!(!log.contains(secret), "{secret} in:\n{log}");
        }
        assert!(log.contains("C: A1 LOGIN <redacted>"), "{log}");
        assert!(log.contains("C: A2 AUTHENTICATE PLAIN <redacted>"), "{log}");
        assert!(log.contains("C: A6 SELECT INBOX"), "{log}");
        assert!(log.contains("S: A1 OK logged in"), "{log}");
    }

    #[test]
    fn literals_show_only_their_size() {
        let (mut t, file) = traced();
        t.server(b"* 1 FETCH (UID 7 BODY[] {11}\r\nHello");
        t.server(b" world)\r\n");
        t.client(b"A1 APPEND INBOX {4+}\r\nabcd\r\n");
        let log = text(&file);
        assert!(!log.contains("Hello") && !log.contains("world"), "{log}");
        assert!(!log.contains("abcd"), "{log}");
        assert!(log.contains("S: <literal 11 bytes>"), "{log}");
        assert!(log.contains("S: )"), "{log}");
        assert!(log.contains("C: <literal 4 bytes>"), "{log}");
    }

    #[test]
    fn literal_sizes_are_read_from_line_ends() {
        assert_eq!(literal_size("A1 APPEND x {12}\r\n"), Some(12));
        assert_eq!(literal_size("A1 APPEND x {12+}\r\n"), Some(12));
        assert_eq!(literal_size("* OK {not}\r\n"), None);
        assert_eq!(literal_size("* OK\r\n"), None);
    }
}
