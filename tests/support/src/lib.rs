//! Test support: a real Dovecot (and, where installed, Postfix) testbed per test, a second
//! raw IMAP client, and a fault-injecting proxy. Everything listens on 127.0.0.1 only.

pub mod mirror;
pub mod proxy;
pub mod raw;
pub mod scripted;

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use tern_engine::{Account, AccountConfig, Credentials, EngineOptions, Security, Server, Trust};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

fn script() -> PathBuf {
    repo_root().join("tests/testbed/testbed")
}

/// The seeder binary, if built; otherwise the testbed script builds it.
fn seed_binary() -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    ["release", "debug"]
        .iter()
        .map(|p| target.join(p).join("tern-seed"))
        .find(|p| p.exists())
}

/// A running Dovecot instance with its own directory, ports and users, and its Postfix for
/// SMTP submission when Postfix is installed. Stopped on drop.
pub struct Testbed {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub host: String,
    pub imap_port: u16,
    pub imaps_port: u16,
    pub ca_file: PathBuf,
    pub users: HashMap<String, String>,
    /// Submission (STARTTLS) and implicit-TLS SMTP ports; `None` without Postfix.
    smtp: Option<(u16, u16)>,
}

impl Testbed {
    /// Starts an instance with users alice and bob.
    pub fn start() -> Testbed {
        Self::start_with(&[])
    }

    /// Starts an instance with extra `testbed start` arguments (e.g. `--capability`).
    pub fn start_with(args: &[&str]) -> Testbed {
        let tmp = tempfile::tempdir().expect("tempdir");
        // Dovecot runs as its own user and must be able to reach the directory.
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let dir = tmp.path().join("tb");
        let out = Command::new(script())
            .arg("start")
            .arg(&dir)
            .args(args)
            .output()
            .expect("run testbed");
        assert!(
            out.status.success(),
            "testbed start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env: HashMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                l.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect();
        // A watchdog stops the server if this test process dies without dropping it
        // (killed, or aborted), so no instance outlives its test.
        let _ = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "while kill -0 {pid} 2>/dev/null; do sleep 1; done; exec '{script}' stop '{dir}'",
                pid = std::process::id(),
                script = script().display(),
                dir = dir.display()
            ))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let users = env["TESTBED_USERS"]
            .split(',')
            .filter_map(|u| {
                u.split_once(':')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            })
            .collect();
        let port = |key: &str| env.get(key).map(|p| p.parse::<u16>().expect("port number"));
        Testbed {
            _tmp: tmp,
            dir,
            host: env["TESTBED_HOST"].clone(),
            imap_port: env["TESTBED_IMAP_PORT"].parse().unwrap(),
            imaps_port: env["TESTBED_IMAPS_PORT"].parse().unwrap(),
            ca_file: PathBuf::from(&env["TESTBED_CA_FILE"]),
            users,
            smtp: port("TESTBED_SUBMISSION_PORT").zip(port("TESTBED_SMTPS_PORT")),
        }
    }

    /// Whether this testbed has SMTP (Postfix and dovecot-lmtpd are installed).
    pub fn has_smtp(&self) -> bool {
        self.smtp.is_some()
    }

    fn smtp_ports(&self) -> (u16, u16) {
        self.smtp
            .expect("the testbed has no SMTP: install postfix and dovecot-lmtpd (tests/setup.sh)")
    }

    /// The SMTP submission port: STARTTLS required before AUTH PLAIN/LOGIN (like 587).
    /// Panics if the testbed has no SMTP.
    pub fn submission_port(&self) -> u16 {
        self.smtp_ports().0
    }

    /// The implicit-TLS SMTP port (like 465). Panics if the testbed has no SMTP.
    pub fn smtps_port(&self) -> u16 {
        self.smtp_ports().1
    }

    /// `user`'s address: mail to it lands in `user`'s INBOX.
    pub fn address(&self, user: &str) -> String {
        format!("{user}@example.org")
    }

    /// SMTP settings for `user`: `Tls` uses the implicit-TLS port, `StartTls` the submission
    /// port. Panics if the testbed has no SMTP.
    pub fn smtp_server(&self, user: &str, security: Security) -> Server {
        let port = match security {
            Security::Tls => self.smtps_port(),
            _ => self.submission_port(),
        };
        Server {
            host: self.host.clone(),
            port,
            security,
            username: user.to_string(),
            allow_plaintext: security == Security::Plain,
        }
    }

    /// Stops the servers (Dovecot and Postfix), as an outage would; [`Testbed::restart`]
    /// brings them back.
    pub fn stop_server(&self) {
        let out = Command::new(script())
            .arg("stop")
            .arg(&self.dir)
            .output()
            .expect("run testbed stop");
        assert!(
            out.status.success(),
            "testbed stop failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the server again on the same ports with the same users and mail (and queued
    /// SMTP mail, which Postfix then delivers).
    pub fn restart(&self) {
        let users: Vec<String> = self.users.iter().map(|(u, p)| format!("{u}:{p}")).collect();
        let out = Command::new(script())
            .arg("start")
            .arg(&self.dir)
            .args([
                "--users",
                &users.join(","),
                "--port-imap",
                &self.imap_port.to_string(),
            ])
            .args(["--port-imaps", &self.imaps_port.to_string()])
            .args(self.smtp.map_or(vec![], |(sub, smtps)| {
                vec![
                    "--port-submission".to_string(),
                    sub.to_string(),
                    "--port-smtps".to_string(),
                    smtps.to_string(),
                ]
            }))
            .output()
            .expect("run testbed start");
        assert!(
            out.status.success(),
            "testbed restart failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Writes `n` generated messages into `user`'s `folder`.
    pub fn seed(&self, user: &str, folder: &str, n: u32) {
        let mut cmd = Command::new(script());
        cmd.args(["seed"])
            .arg(&self.dir)
            .args([user, folder, &n.to_string()]);
        if let Some(bin) = seed_binary() {
            cmd.env("TERN_SEED", bin);
        }
        let out = cmd.output().expect("run testbed seed");
        assert!(
            out.status.success(),
            "testbed seed failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn password(&self, user: &str) -> String {
        self.users[user].clone()
    }

    /// Account settings for `user` over implicit TLS, trusting the testbed's CA.
    pub fn account(&self, user: &str) -> AccountConfig {
        self.account_via(user, Security::Tls, &self.host.clone(), self.imaps_port)
    }

    /// Account settings for `user` with the given security, host and port.
    pub fn account_via(
        &self,
        user: &str,
        security: Security,
        host: &str,
        port: u16,
    ) -> AccountConfig {
        AccountConfig {
            email: self.address(user),
            display_name: user.to_string(),
            imap: Server {
                host: host.to_string(),
                port,
                security,
                username: user.to_string(),
                allow_plaintext: security == Security::Plain,
            },
            smtp: None,
            trust: Trust {
                ca_file: Some(self.ca_file.to_string_lossy().into_owned()),
                pinned_sha256: vec![],
            },
            notify: true,
            password_command: None,
        }
    }

    /// A second client, as another mail program would be.
    pub async fn raw(&self, user: &str) -> raw::RawClient {
        raw::RawClient::login(self.imap_port, user, &self.password(user)).await
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).output();
    }
}

/// Passwords kept in memory for tests, keyed by account email.
pub struct Passwords(pub HashMap<String, String>);

impl Credentials for Passwords {
    fn password(&self, account: &Account) -> tern_engine::Result<String> {
        self.0.get(&account.config.email).cloned().ok_or_else(|| {
            tern_engine::Error::new(
                tern_engine::ErrorKind::Credentials,
                "no password for this test account",
            )
        })
    }
}

impl Testbed {
    /// Credentials for every testbed user as `<user>@example.org`.
    pub fn credentials(&self) -> Arc<Passwords> {
        Arc::new(Passwords(
            self.users
                .iter()
                .map(|(u, p)| (format!("{u}@example.org"), p.clone()))
                .collect(),
        ))
    }
}

/// Engine options with short timeouts and retries, so failure tests run quickly.
pub fn fast_options() -> EngineOptions {
    let mut o = EngineOptions::default();
    o.timeouts.connect = Duration::from_secs(5);
    o.timeouts.command = Duration::from_secs(5);
    o.retry_base = Duration::from_millis(200);
    o.retry_max = Duration::from_secs(2);
    o.poll_interval = Duration::from_secs(3600);
    o
}

/// A fresh profile directory.
pub fn profile() -> tempfile::TempDir {
    tempfile::tempdir().expect("profile dir")
}

/// A small RFC 5322 message with the given subject and From, for APPEND.
pub fn message(from: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: alice@example.org\r\nSubject: {subject}\r\nDate: Mon, 3 Nov 2025 10:00:00 +0000\r\n\
Message-ID: <{}@test.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        unique()
    )
    .into_bytes()
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos}.{}", N.fetch_add(1, Ordering::Relaxed))
}
