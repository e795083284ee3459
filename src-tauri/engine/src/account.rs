//! Account settings: servers, security and trust. Never holds a password.

use serde::{Deserialize, Serialize};

/// The row id of an account in the cache.
pub type AccountId = i64;

/// How the connection to a server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (IMAP port 993, SMTP port 465).
    Tls,
    /// Plain text upgraded with STARTTLS before anything secret is sent (IMAP 143, SMTP 587).
    StartTls,
    /// No encryption at all. Only used when the user explicitly allows it.
    Plain,
}

impl Security {
    /// The usual security for a port: STARTTLS on the ports defined for it (IMAP 143,
    /// submission 587, SMTP 25), implicit TLS everywhere else (993, 465 and custom ports).
    pub fn default_for_port(port: u16) -> Security {
        match port {
            143 | 587 | 25 => Security::StartTls,
            _ => Security::Tls,
        }
    }

    pub fn parse(s: &str) -> Option<Security> {
        match s.to_ascii_lowercase().as_str() {
            "tls" | "ssl" | "implicit" => Some(Security::Tls),
            "starttls" => Some(Security::StartTls),
            "plain" | "none" => Some(Security::Plain),
            _ => None,
        }
    }
}

/// Extra trust the user chose for one account, beyond the system's root certificates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trust {
    /// PEM file of an extra certificate authority (for a private or test server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// SHA-256 fingerprints (hex, colons optional) of server certificates the user trusted
    /// explicitly. A pinned certificate is accepted even if it does not chain to a root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned_sha256: Vec<String>,
}

/// One server endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    /// The user allowed plain text for this server (testbed use). Without it, `Plain` is refused.
    #[serde(default)]
    pub allow_plaintext: bool,
}

/// Everything the engine needs to know about an account, except its password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountConfig {
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    pub imap: Server,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp: Option<Server>,
    #[serde(default)]
    pub trust: Trust,
    /// Raise desktop notifications for new mail in this account.
    #[serde(default = "yes")]
    pub notify: bool,
    /// A command whose first line of output is the password (as with `pass show mail`).
    /// When absent the password comes from the OS keyring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_command: Option<String>,
}

fn yes() -> bool {
    true
}

/// An account as stored: its id plus its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    #[serde(flatten)]
    pub config: AccountConfig,
}

impl AccountConfig {
    /// Checks the settings before anything touches the network.
    pub fn validate(&self) -> crate::Result<()> {
        use crate::{Error, ErrorKind};
        if !self.email.contains('@') {
            return Err(Error::new(
                ErrorKind::Config,
                format!("'{}' is not an email address", self.email),
            ));
        }
        for (what, server) in [("IMAP", Some(&self.imap)), ("SMTP", self.smtp.as_ref())] {
            let Some(server) = server else { continue };
            if server.host.trim().is_empty() {
                return Err(Error::new(
                    ErrorKind::Config,
                    format!("The {what} server name is empty"),
                ));
            }
            if server.port == 0 {
                return Err(Error::new(
                    ErrorKind::Config,
                    format!("The {what} port is not set"),
                ));
            }
            if server.security == Security::Plain && !server.allow_plaintext {
                return Err(Error::new(
                    ErrorKind::Config,
                    format!("The {what} server is set to no encryption; allow plain text explicitly to use it"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(security: Security, allow: bool) -> AccountConfig {
        AccountConfig {
            email: "a@example.org".into(),
            display_name: String::new(),
            imap: Server {
                host: "127.0.0.1".into(),
                port: 143,
                security,
                username: "a".into(),
                allow_plaintext: allow,
            },
            smtp: None,
            trust: Trust::default(),
            notify: true,
            password_command: None,
        }
    }

    #[test]
    fn plain_needs_consent() {
        assert_eq!(
            config(Security::Plain, false).validate().unwrap_err().kind,
            crate::ErrorKind::Config
        );
        assert!(config(Security::Plain, true).validate().is_ok());
        assert!(config(Security::StartTls, false).validate().is_ok());
    }

    #[test]
    fn ports_suggest_security() {
        assert_eq!(Security::default_for_port(993), Security::Tls);
        assert_eq!(Security::default_for_port(143), Security::StartTls);
        assert_eq!(Security::default_for_port(587), Security::StartTls);
    }

    #[test]
    fn config_round_trips_through_json() {
        let c = config(Security::Tls, false);
        let json = serde_json::to_string(&c).unwrap();
        assert!(!json.to_lowercase().contains("password"));
        assert_eq!(serde_json::from_str::<AccountConfig>(&json).unwrap(), c);
    }
}
