//! The peer reference: mbsync (Debian's isync) mirroring one testbed folder into a local
//! maildir over the same implicit-TLS port, timed and under `/usr/bin/time -v` for peak RSS.

use anyhow::{ensure, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tern_testsupport::Testbed;

/// Where Debian installs mbsync.
pub const MBSYNC: &str = "/usr/bin/mbsync";

/// One mbsync channel: `user`'s `folder` on the testbed to a maildir in a temp dir.
pub struct Mbsync {
    dir: tempfile::TempDir,
    rc: PathBuf,
}

/// One mbsync run.
#[derive(Debug)]
pub struct MbsyncRun {
    pub wall: Duration,
    /// Peak RSS from `/usr/bin/time -v`, 0 when it is not installed.
    pub max_rss_kib: u64,
}

/// The version line of mbsync, or why it cannot run.
pub fn version() -> Result<String> {
    let out = Command::new(MBSYNC)
        .arg("--version")
        .output()
        .with_context(|| format!("running {MBSYNC} (install Debian's isync: tests/setup.sh)"))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Peak RSS in KiB from `/usr/bin/time -v` output.
pub fn parse_time_v(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
}

impl Mbsync {
    /// Writes an mbsyncrc for `user`'s `folder`. `FSync no`: Tern's cache (WAL, synchronous =
    /// NORMAL) does not sync each batch to disk either, and mbsync's default fsync of every
    /// message would make the peer look slower than it can be. `Host localhost`: isync 1.4
    /// matches the certificate against the host name only, not an IP address.
    pub fn new(tb: &Testbed, user: &str, folder: &str) -> Result<Mbsync> {
        let dir = tempfile::tempdir().context("mbsync dir")?;
        let maildir = dir.path().join("mail");
        let rc = dir.path().join("mbsyncrc");
        let text = format!(
            "FSync no

IMAPAccount tb
Host localhost
Port {port}
User {user}
Pass {password}
SSLType IMAPS
CertificateFile {ca}

IMAPStore far
Account tb

MaildirStore near
Path {maildir}/
Inbox {maildir}/INBOX
SubFolders Verbatim

Channel bench
Far :far:
Near :near:
Patterns \"{folder}\"
Create Near
Sync Pull
Expunge None
SyncState *
",
            port = tb.imaps_port,
            password = tb.password(user),
            ca = tb.ca_file.display(),
            maildir = maildir.display(),
        );
        std::fs::write(&rc, text).context("writing mbsyncrc")?;
        Ok(Mbsync { dir, rc })
    }

    /// The local maildir root.
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Deletes the local copy and its sync state: the next run is an initial sync.
    pub fn reset(&self) -> Result<()> {
        let m = self.maildir();
        if m.exists() {
            std::fs::remove_dir_all(&m).with_context(|| format!("removing {}", m.display()))?;
        }
        Ok(())
    }

    /// Runs the channel once, timed.
    pub fn run(&self) -> Result<MbsyncRun> {
        std::fs::create_dir_all(self.maildir()).context("creating the mbsync maildir")?;
        let time_v = self.dir.path().join("time-v.txt");
        let timed = Path::new("/usr/bin/time").exists();
        let mut cmd = if timed {
            let mut c = Command::new("/usr/bin/time");
            c.arg("-v").arg("-o").arg(&time_v).arg(MBSYNC);
            c
        } else {
            Command::new(MBSYNC)
        };
        cmd.arg("-c")
            .arg(&self.rc)
            .args(["-q", "bench"])
            .stdin(Stdio::null());
        let start = Instant::now();
        let out = cmd.output().context("running mbsync")?;
        let wall = start.elapsed();
        ensure!(
            out.status.success(),
            "mbsync failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let max_rss_kib = if timed {
            let text = std::fs::read_to_string(&time_v).context("reading time -v output")?;
            parse_time_v(&text).context("no peak RSS in time -v output")?
        } else {
            0
        };
        Ok(MbsyncRun { wall, max_rss_kib })
    }

    /// Messages in the local copy of `folder` (files in cur/ and new/).
    pub fn count(&self, folder: &str) -> Result<usize> {
        let base = if folder == "INBOX" {
            self.maildir().join("INBOX")
        } else {
            self.maildir().join(folder)
        };
        let mut n = 0;
        for sub in ["cur", "new"] {
            let d = base.join(sub);
            if d.exists() {
                n += std::fs::read_dir(&d)
                    .with_context(|| format!("reading {}", d.display()))?
                    .count();
            }
        }
        Ok(n)
    }
}
