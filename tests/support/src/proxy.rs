//! A fault-injecting TCP proxy on 127.0.0.1: it passes bytes through, or cuts, stalls or
//! garbles the server's side after a number of bytes, or hides capabilities. One fault per
//! accepted connection, taken in order; connections after the list pass through untouched.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub enum Fault {
    Pass,
    /// Close both sides after this many server bytes.
    CutAfter(usize),
    /// Stop forwarding server bytes after this many, keeping the connection open.
    StallAfter(usize),
    /// After this many server bytes, send a malformed response line and close.
    GarbleAfter(usize),
    /// Remove these capability names from every server line (plain connections only).
    /// Hiding UIDPLUS also removes its COPYUID and APPENDUID response codes.
    HideCapabilities(Vec<String>),
    /// Hide these capabilities, and cut the connection (both sides) when the client sends a
    /// line containing the text, before it reaches the server: a client killed between two
    /// commands (plain connections only).
    CutOnCommand(Vec<String>, String),
}

pub struct Proxy {
    pub port: u16,
    faults: Arc<Mutex<VecDeque<Fault>>>,
    accepted: Arc<AtomicUsize>,
    _task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self._task.abort();
    }
}

impl Proxy {
    pub async fn start(upstream: u16, faults: Vec<Fault>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        let faults = Arc::new(Mutex::new(VecDeque::from(faults)));
        let accepted = Arc::new(AtomicUsize::new(0));
        let (f, a) = (faults.clone(), accepted.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                a.fetch_add(1, Ordering::SeqCst);
                let fault = f.lock().unwrap().pop_front().unwrap_or(Fault::Pass);
                tokio::spawn(serve(client, upstream, fault));
            }
        });
        Proxy {
            port,
            faults,
            accepted,
            _task: task,
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Queues faults for the next connections.
    pub fn push(&self, fault: Fault) {
        self.faults.lock().unwrap().push_back(fault);
    }
}

async fn serve(client: TcpStream, upstream: u16, fault: Fault) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
        return;
    };
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let cut_on = match &fault {
        Fault::CutOnCommand(_, text) => Some(text.clone()),
        _ => None,
    };
    let cut = Arc::new(tokio::sync::Notify::new());
    let cut_up = cut.clone();
    let up = tokio::spawn(async move {
        match cut_on {
            None => {
                let _ = tokio::io::copy(&mut cr, &mut sw).await;
            }
            Some(text) => {
                forward_until(&mut cr, &mut sw, &text).await;
                cut_up.notify_one();
            }
        }
    });
    let fault = match fault {
        Fault::CutOnCommand(hidden, _) => Fault::HideCapabilities(hidden),
        f => f,
    };
    let mut sent = 0usize;
    let mut buf = vec![0u8; 16 * 1024];
    let mut line = Vec::new();
    loop {
        let n = tokio::select! {
            r = sr.read(&mut buf) => match r {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            },
            _ = cut.notified() => break,
        };
        let chunk = &buf[..n];
        match &fault {
            Fault::Pass => {
                if cw.write_all(chunk).await.is_err() {
                    break;
                }
            }
            Fault::CutAfter(limit) | Fault::StallAfter(limit) | Fault::GarbleAfter(limit) => {
                let room = limit.saturating_sub(sent).min(n);
                if room > 0 && cw.write_all(&chunk[..room]).await.is_err() {
                    break;
                }
                sent += room;
                if sent >= *limit {
                    match fault {
                        Fault::CutAfter(_) => break,
                        Fault::StallAfter(_) => {
                            // Hold the connection open and silent until the client gives up.
                            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                            break;
                        }
                        _ => {
                            let _ = cw.write_all(b"\r\n* 1 FETCH (UID 12 FLAGS (\\Seen) BODY[HEADER.FIELDS {99999999999}\r\n)))\r\n").await;
                            let _ = cw.write_all(b"* GARBAGE \x00\xff\xfe not imap\r\n").await;
                            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                            break;
                        }
                    }
                }
            }
            // Turned into HideCapabilities above.
            Fault::CutOnCommand(..) => break,
            Fault::HideCapabilities(hidden) => {
                line.extend_from_slice(chunk);
                while let Some(pos) = line.iter().position(|b| *b == b'\n') {
                    let l: Vec<u8> = line.drain(..=pos).collect();
                    let out = hide(&l, hidden);
                    if cw.write_all(&out).await.is_err() {
                        up.abort();
                        return;
                    }
                }
            }
        }
    }
    up.abort();
}

/// Copies client lines to the server until one contains `text`, which is dropped.
async fn forward_until(
    from: &mut tokio::net::tcp::OwnedReadHalf,
    to: &mut tokio::net::tcp::OwnedWriteHalf,
    text: &str,
) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut line = Vec::new();
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        line.extend_from_slice(&buf[..n]);
        while let Some(pos) = line.iter().position(|b| *b == b'\n') {
            let l: Vec<u8> = line.drain(..=pos).collect();
            if String::from_utf8_lossy(&l).contains(text) {
                return;
            }
            if to.write_all(&l).await.is_err() {
                return;
            }
        }
        // A literal's bytes (APPEND) may come without a newline yet: pass them on whole
        // lines only once complete; a partial line waits for the rest.
    }
}

/// Removes capability tokens from a CAPABILITY line or response code.
fn hide(line: &[u8], hidden: &[String]) -> Vec<u8> {
    if hidden.iter().any(|h| h.eq_ignore_ascii_case("UIDPLUS")) {
        if let Some(stripped) = strip_uidplus_code(line) {
            return stripped;
        }
    }
    let text = String::from_utf8_lossy(line);
    if !text.to_ascii_uppercase().contains("CAPABILITY") {
        return line.to_vec();
    }
    let ends_bracket = |w: &str| w.ends_with(']');
    let mut out = Vec::new();
    for w in text.trim_end().split(' ') {
        let bare = w.trim_end_matches(']');
        if hidden.iter().any(|h| h.eq_ignore_ascii_case(bare)) {
            if ends_bracket(w) {
                out.push("]".to_string());
            }
            continue;
        }
        out.push(w.to_string());
    }
    let mut s = out.join(" ").replace(" ]", "]");
    s.push_str("\r\n");
    s.into_bytes()
}

/// A server without UIDPLUS sends no COPYUID or APPENDUID (RFC 4315 §3): removes the code
/// from a status line such as `* OK [COPYUID 7 1 5] Moved UIDs.`.
fn strip_uidplus_code(line: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.splitn(3, ' ');
    let (tag, status, rest) = (words.next()?, words.next()?, words.next()?);
    let upper = rest.to_ascii_uppercase();
    if !status.eq_ignore_ascii_case("OK")
        || !(upper.starts_with("[COPYUID ") || upper.starts_with("[APPENDUID "))
    {
        return None;
    }
    let end = rest.find(']')?;
    let tail = rest[end + 1..].trim_start_matches(' ');
    let tail = if tail.trim().is_empty() {
        "done\r\n"
    } else {
        tail
    };
    Some(format!("{tag} {status} {tail}").into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hiding_uidplus_strips_its_codes() {
        let hidden = vec!["UIDPLUS".to_string()];
        assert_eq!(
            hide(b"* OK [COPYUID 7 1:2 5:6] Moved UIDs.\r\n", &hidden),
            b"* OK Moved UIDs.\r\n"
        );
        assert_eq!(
            hide(b"a3 OK [APPENDUID 7 9] Append completed.\r\n", &hidden),
            b"a3 OK Append completed.\r\n"
        );
        assert_eq!(
            hide(b"a4 OK [COPYUID 7 1 5]\r\n", &hidden),
            b"a4 OK done\r\n"
        );
        assert_eq!(
            hide(b"* CAPABILITY IMAP4rev1 UIDPLUS MOVE\r\n", &hidden),
            b"* CAPABILITY IMAP4rev1 MOVE\r\n"
        );
        assert_eq!(
            hide(b"a5 OK [READ-WRITE] Select\r\n", &hidden),
            b"a5 OK [READ-WRITE] Select\r\n"
        );
    }
}
