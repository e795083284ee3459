//! TLS client settings: the system's roots, plus a CA or pinned certificates the user chose.
//! Nothing is accepted silently: a certificate either chains to a trusted root for the host
//! name, or its SHA-256 fingerprint was pinned by the user.

use crate::account::Trust;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex, OnceLock};
use tokio_rustls::rustls::{
    self,
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    client::WebPkiServerVerifier,
    crypto::CryptoProvider,
    pki_types::{CertificateDer, ServerName, UnixTime},
    DigitallySignedStruct, RootCertStore, SignatureScheme,
};

/// The system's root certificates, loaded once per process (it reads many files).
fn system_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let loaded = rustls_native_certs::load_native_certs();
        for e in &loaded.errors {
            tracing::warn!("could not load a system root certificate: {e}");
        }
        loaded.certs
    })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Formats a certificate's SHA-256 fingerprint as colon-separated upper-case hex.
pub fn fingerprint(cert: &[u8]) -> String {
    let digest = Sha256::digest(cert);
    digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Normalises a user-typed fingerprint for comparison: hex digits only, upper case.
fn normalise_fingerprint(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_hexdigit())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A TLS connector for one account, plus the slot where the last presented certificate's
/// fingerprint is kept, so a failure can tell the user what to trust.
#[derive(Clone)]
pub struct TlsSetup {
    pub connector: tokio_rustls::TlsConnector,
    pub presented: Arc<Mutex<Option<String>>>,
    /// The fingerprints the user trusted for this account, as they were given.
    pub pinned: Vec<String>,
}

impl TlsSetup {
    pub fn new(trust: &Trust) -> Result<TlsSetup> {
        let mut roots = RootCertStore::empty();
        let (_added, _ignored) = roots.add_parsable_certificates(system_roots().iter().cloned());
        if let Some(path) = &trust.ca_file {
            let pem = std::fs::read(path).with_context(|| format!("Reading the CA file {path}"))?;
            let mut any = false;
            for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                let cert = cert.with_context(|| format!("Parsing the CA file {path}"))?;
                roots
                    .add(cert)
                    .with_context(|| format!("Adding the CA in {path}"))?;
                any = true;
            }
            if !any {
                anyhow::bail!("The CA file {path} holds no certificate");
            }
        }
        let provider = provider();
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .context("Setting up certificate verification")?;
        let presented = Arc::new(Mutex::new(None));
        let verifier = Arc::new(Verifier {
            webpki,
            pinned: trust
                .pinned_sha256
                .iter()
                .map(|p| normalise_fingerprint(p))
                .collect(),
            presented: presented.clone(),
        });
        // TLS 1.2 is the floor; rustls has no older versions at all.
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .context("Choosing TLS versions")?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(TlsSetup {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            presented,
            pinned: trust.pinned_sha256.clone(),
        })
    }

    /// Why a certificate that did not verify was refused, in words: either it is simply not
    /// trusted, or the account trusted another certificate for this server, which means the
    /// server's certificate changed since (a new key, or someone in between).
    pub fn refusal(&self, host: &str, presented: &str) -> Option<String> {
        if self.pinned.is_empty()
            || self
                .pinned
                .iter()
                .any(|p| normalise_fingerprint(p) == normalise_fingerprint(presented))
        {
            return None;
        }
        Some(format!(
            "The certificate of {host} has changed since you trusted it: it was SHA-256 {}, it is now {presented}. \
             Trust the new certificate only if you know why it changed",
            self.pinned.join(" or ")
        ))
    }

    /// The fingerprint of the certificate the server presented last, if any.
    pub fn presented_fingerprint(&self) -> Option<String> {
        self.presented.lock().ok().and_then(|g| g.clone())
    }
}

#[derive(Debug)]
struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<String>,
    presented: Arc<Mutex<Option<String>>>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fp = fingerprint(end_entity);
        if let Ok(mut slot) = self.presented.lock() {
            *slot = Some(fp.clone());
        }
        if self.pinned.contains(&normalise_fingerprint(&fp)) {
            return Ok(ServerCertVerified::assertion());
        }
        self.webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// Why a certificate was not accepted, as the end of a sentence about it ("The certificate
/// of HOST ..."), for the failures a user can act on.
pub fn explain(e: &rustls::Error) -> Option<&'static str> {
    use rustls::CertificateError as C;
    let rustls::Error::InvalidCertificate(c) = e else {
        return None;
    };
    Some(match c {
        C::Expired | C::ExpiredContext { .. } => "has expired",
        C::NotValidYet | C::NotValidYetContext { .. } => "is not valid yet",
        C::UnknownIssuer => {
            "is not signed by an authority this computer trusts (it may be self-signed or from a private authority)"
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "was issued for a different server name"
        }
        C::Revoked => "has been revoked",
        _ => "could not be verified",
    })
}

/// The name to check the certificate against: a DNS name or an IP address.
pub fn server_name(host: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(host.to_string())
        .with_context(|| format!("'{host}' is not a valid server name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_compare_loosely() {
        assert_eq!(normalise_fingerprint("ab:cd:0f"), "ABCD0F");
        assert_eq!(normalise_fingerprint("ABCD0F"), "ABCD0F");
        let fp = fingerprint(b"hello");
        assert_eq!(fp.len(), 32 * 3 - 1);
        assert!(fp.starts_with("2C:F2:4D:BA"));
    }

    #[test]
    fn a_changed_pin_is_named() {
        let setup = |pins: Vec<String>| {
            TlsSetup::new(&Trust {
                ca_file: None,
                pinned_sha256: pins,
            })
            .unwrap()
        };
        assert_eq!(setup(vec![]).refusal("h", "AB:CD"), None);
        assert_eq!(setup(vec!["abcd".into()]).refusal("h", "AB:CD"), None);
        let msg = setup(vec!["AB:CD".into()]).refusal("h", "EF:01").unwrap();
        assert!(msg.contains("changed") && msg.contains("AB:CD") && msg.contains("EF:01"));
    }

    #[test]
    fn missing_ca_file_is_an_error() {
        let trust = Trust {
            ca_file: Some("/nonexistent/ca.pem".into()),
            pinned_sha256: vec![],
        };
        let err = TlsSetup::new(&trust).err().expect("should fail");
        assert!(format!("{err:#}").contains("/nonexistent/ca.pem"));
    }
}
