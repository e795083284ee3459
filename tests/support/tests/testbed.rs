//! The harness itself: SMTP ports parsed from the testbed's env, kept across a restart.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::time::Duration;
use tern_testsupport::Testbed;

/// The first line the server sends on a fresh connection.
fn greeting(port: u16) -> std::io::Result<String> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    Ok(line)
}

#[test]
fn smtp_ports_answer_and_survive_a_restart() {
    let tb = Testbed::start();
    if !tb.has_smtp() {
        eprintln!("skipped: the testbed has no SMTP (install postfix and dovecot-lmtpd)");
        return;
    }
    let (sub, smtps) = (tb.submission_port(), tb.smtps_port());
    assert_ne!(sub, smtps);
    assert!(greeting(sub).unwrap().starts_with("220 "));
    assert_eq!(tb.address("bob"), "bob@example.org");

    tb.stop_server();
    assert!(
        greeting(sub).is_err(),
        "submission port still open after stop"
    );
    tb.restart();
    assert_eq!((tb.submission_port(), tb.smtps_port()), (sub, smtps));
    assert!(greeting(sub).unwrap().starts_with("220 "));
}
