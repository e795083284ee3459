//! `tern account add | list | remove`.

use crate::output::Out;
use crate::KEYRING_SERVICE;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use std::io::BufRead;
use tern_engine::credentials::{password_from_command, Keyring};
use tern_engine::{Account, AccountConfig, Engine, Security, Server, Trust};

#[derive(Subcommand)]
pub enum AccountCmd {
    /// Add an account. The connection is tested before it is saved.
    Add(Box<AddArgs>),
    /// List accounts.
    List,
    /// Remove an account, its cache and its stored password.
    Remove {
        /// Account id or email address.
        account: String,
    },
}

#[derive(Args)]
pub struct AddArgs {
    #[arg(long)]
    email: String,
    /// Display name used when sending.
    #[arg(long, default_value = "")]
    name: String,
    #[arg(long)]
    imap_host: String,
    /// Defaults to 993 for TLS, 143 otherwise.
    #[arg(long)]
    imap_port: Option<u16>,
    /// tls, starttls or plain. Defaults by port (993: tls, else starttls).
    #[arg(long)]
    imap_security: Option<String>,
    /// Login name; defaults to the email address.
    #[arg(long)]
    username: Option<String>,
    #[arg(long)]
    smtp_host: Option<String>,
    #[arg(long)]
    smtp_port: Option<u16>,
    #[arg(long)]
    smtp_security: Option<String>,
    /// Allow sending the password without encryption (plain security; test servers only).
    #[arg(long)]
    allow_plaintext: bool,
    /// A PEM file with an extra certificate authority to trust for this account.
    #[arg(long)]
    ca_file: Option<String>,
    /// Trust a server certificate by its SHA-256 fingerprint (repeatable).
    #[arg(long = "trust-fingerprint")]
    trust_fingerprint: Vec<String>,
    /// A command that prints the password (for example `pass show mail/alice`).
    #[arg(long, conflicts_with = "password_stdin")]
    password_command: Option<String>,
    /// Read the password from standard input and keep it in the OS keyring.
    #[arg(long)]
    password_stdin: bool,
    /// Save without testing the connection first.
    #[arg(long)]
    no_test: bool,
}

fn security(
    s: Option<&str>,
    port: Option<u16>,
    default_port_tls: u16,
    default_port: u16,
) -> Result<(Security, u16)> {
    let sec = match s {
        Some(s) => Security::parse(s)
            .with_context(|| format!("'{s}' is not a security (use tls, starttls or plain)"))?,
        None => port
            .map(Security::default_for_port)
            .unwrap_or(Security::Tls),
    };
    let port = port.unwrap_or(if sec == Security::Tls {
        default_port_tls
    } else {
        default_port
    });
    Ok((sec, port))
}

pub async fn run(engine: &Engine, cmd: AccountCmd, out: &Out) -> Result<()> {
    match cmd {
        AccountCmd::Add(a) => add(engine, *a, out).await,
        AccountCmd::List => {
            let accounts = engine.accounts()?;
            out.emit(&accounts, || {
                if accounts.is_empty() {
                    return "No accounts. Add one with `tern account add`.".into();
                }
                accounts.iter().map(describe).collect::<Vec<_>>().join("\n")
            });
            Ok(())
        }
        AccountCmd::Remove { account } => {
            let a = crate::read::resolve_one(engine, &account)?;
            engine.remove_account(a.id)?;
            if a.config.password_command.is_none() {
                Keyring::new(KEYRING_SERVICE).forget(&a)?;
            }
            out.emit(&serde_json::json!({ "removed": a.id }), || {
                format!("Removed account {} ({})", a.id, a.config.email)
            });
            Ok(())
        }
    }
}

fn describe(a: &Account) -> String {
    let s = &a.config.imap;
    format!(
        "{:>3}  {}  imap {}:{} {:?} as {}",
        a.id, a.config.email, s.host, s.port, s.security, s.username
    )
}

async fn add(engine: &Engine, a: AddArgs, out: &Out) -> Result<()> {
    let (imap_sec, imap_port) = security(a.imap_security.as_deref(), a.imap_port, 993, 143)?;
    let username = a.username.clone().unwrap_or_else(|| a.email.clone());
    let smtp = match &a.smtp_host {
        Some(host) => {
            let (sec, port) = security(a.smtp_security.as_deref(), a.smtp_port, 465, 587)?;
            Some(Server {
                host: host.clone(),
                port,
                security: sec,
                username: username.clone(),
                allow_plaintext: a.allow_plaintext,
            })
        }
        None => None,
    };
    let config = AccountConfig {
        email: a.email.clone(),
        display_name: a.name.clone(),
        imap: Server {
            host: a.imap_host.clone(),
            port: imap_port,
            security: imap_sec,
            username,
            allow_plaintext: a.allow_plaintext,
        },
        smtp,
        trust: Trust {
            ca_file: a.ca_file.clone(),
            pinned_sha256: a.trust_fingerprint.clone(),
        },
        notify: true,
        password_command: a.password_command.clone(),
    };
    config.validate()?;
    let password = if let Some(cmd) = &a.password_command {
        Some(password_from_command(cmd)?)
    } else if a.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("Reading the password from standard input")?;
        let p = line.trim_end_matches(['\r', '\n']).to_string();
        if p.is_empty() {
            bail!("No password on standard input");
        }
        Some(p)
    } else {
        bail!("Give --password-command CMD, or --password-stdin to keep the password in the OS keyring");
    };
    let password = password.unwrap_or_default();
    if !a.no_test {
        engine.test_login(&config, &password).await?;
    }
    let id = engine.add_account(&config)?;
    if a.password_stdin {
        let account = engine.account(id)?;
        if let Err(e) = Keyring::new(KEYRING_SERVICE).store(&account, &password) {
            // Never fall back to writing the password anywhere else.
            engine.remove_account(id)?;
            return Err(e.into());
        }
    }
    let account = engine.account(id)?;
    out.emit(&account, || {
        format!("Added account {id} ({})", account.config.email)
    });
    Ok(())
}
