//! Where passwords come from. The engine never stores one: it asks a [`Credentials`]
//! provider at each login. The app backs it with the OS keyring.

use crate::account::Account;
use crate::error::{Error, ErrorKind, Result};

/// Supplies an account's password when the engine logs in. May block (keyring, command).
pub trait Credentials: Send + Sync {
    fn password(&self, account: &Account) -> Result<String>;
}

/// Runs the account's `password_command` with `sh -c` and takes the first line of its output.
pub fn password_from_command(command: &str) -> Result<String> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| {
            Error::new(
                ErrorKind::Credentials,
                format!("Could not run the password command: {e}"),
            )
        })?;
    if !out.status.success() {
        return Err(Error::new(
            ErrorKind::Credentials,
            format!("The password command failed ({})", out.status),
        ));
    }
    let text = String::from_utf8(out.stdout).map_err(|_| {
        Error::new(
            ErrorKind::Credentials,
            "The password command printed something that is not UTF-8",
        )
    })?;
    let line = text.lines().next().unwrap_or("").to_string();
    if line.is_empty() {
        return Err(Error::new(
            ErrorKind::Credentials,
            "The password command printed nothing",
        ));
    }
    Ok(line)
}

/// The password command when the account has one, otherwise another provider (the keyring).
pub struct CommandOr<C>(pub C);

impl<C: Credentials> Credentials for CommandOr<C> {
    fn password(&self, account: &Account) -> Result<String> {
        match &account.config.password_command {
            Some(cmd) => password_from_command(cmd),
            None => self.0.password(account),
        }
    }
}

/// No stored passwords at all: only accounts with a password command can log in.
pub struct NoStore;

impl Credentials for NoStore {
    fn password(&self, account: &Account) -> Result<String> {
        Err(Error::new(
            ErrorKind::Credentials,
            format!("No password is available for {}", account.config.email),
        ))
    }
}

/// The key an account's password is filed under in a keyring: unique per server and user.
pub fn keyring_user(account: &Account) -> String {
    let s = &account.config.imap;
    format!("{}@{}:{}", s.username, s.host, s.port)
}

#[cfg(feature = "keyring")]
mod os_keyring {
    use super::*;

    /// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
    pub struct Keyring {
        pub service: String,
    }

    impl Keyring {
        pub fn new(service: &str) -> Self {
            Keyring {
                service: service.to_string(),
            }
        }

        fn entry(&self, account: &Account) -> Result<keyring::Entry> {
            keyring::Entry::new(&self.service, &keyring_user(account)).map_err(unavailable)
        }

        /// Whether a keyring can be used at all (a Secret Service is running and unlocked,
        /// or the platform store is there).
        pub fn available(&self) -> Result<()> {
            let probe =
                keyring::Entry::new(&self.service, "availability-probe").map_err(unavailable)?;
            match probe.get_password() {
                Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(unavailable(e)),
            }
        }

        pub fn store(&self, account: &Account, password: &str) -> Result<()> {
            self.entry(account)?
                .set_password(password)
                .map_err(unavailable)
        }

        pub fn forget(&self, account: &Account) -> Result<()> {
            match self.entry(account)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(unavailable(e)),
            }
        }
    }

    impl Credentials for Keyring {
        fn password(&self, account: &Account) -> Result<String> {
            match self.entry(account)?.get_password() {
                Ok(p) => Ok(p),
                Err(keyring::Error::NoEntry) => Err(Error::new(
                    ErrorKind::Credentials,
                    format!(
                        "The keyring has no password for {}; enter it again",
                        account.config.email
                    ),
                )),
                Err(e) => Err(unavailable(e)),
            }
        }
    }

    fn unavailable(e: keyring::Error) -> Error {
        Error::new(
            ErrorKind::Credentials,
            format!("The system keyring is not available: {e}"),
        )
    }
}

#[cfg(feature = "keyring")]
pub use os_keyring::Keyring;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_output_first_line() {
        assert_eq!(
            password_from_command("printf 's3cret\\nignored'").unwrap(),
            "s3cret"
        );
        assert_eq!(
            password_from_command("exit 3").unwrap_err().kind,
            ErrorKind::Credentials
        );
        assert_eq!(
            password_from_command("true").unwrap_err().kind,
            ErrorKind::Credentials
        );
    }
}
