//! Unit tests of message building: parsed back with mail-parser.

use super::*;
use mail_parser::{MessageParser, MimeHeaders};

fn addr(name: &str, email: &str) -> Address {
    Address {
        name: name.into(),
        email: email.into(),
    }
}

fn draft() -> Draft {
    Draft {
        account: 1,
        to: vec![addr("Bøb Ünïcode", "bob@example.org")],
        cc: vec![addr("", "carol@example.org")],
        bcc: vec![addr("Secret", "dave@example.org")],
        subject: "Grüße aus Köln — ☕".into(),
        text: "Hallo Bob,\nschöne Grüße!\n> quoted".into(),
        attachments: vec![DraftAttachment {
            filename: "daten ä.bin".into(),
            mime: String::new(),
            content: Content::Bytes((0..=255u8).collect()),
        }],
        in_reply_to: "parent@example.org".into(),
        references: vec!["root@example.org".into(), "parent@example.org".into()],
        ..Draft::default()
    }
}

#[test]
fn builds_alternative_with_attachment_and_encoded_words() {
    let from = addr("Älice", "alice@example.org");
    let built = build(&draft(), &from, Purpose::Send, 1_700_000_000, &[]).unwrap();
    let head = String::from_utf8_lossy(&built.raw);
    let headers = head.split("\r\n\r\n").next().unwrap();
    assert!(
        headers.is_ascii(),
        "headers must be ASCII (RFC 2047): {headers}"
    );
    assert!(!headers.to_ascii_lowercase().contains("bcc"), "{headers}");
    assert!(!head.contains("dave@example.org"));
    assert!(built.message_id.ends_with("@example.org"));
    assert_eq!(
        built.recipients,
        vec!["bob@example.org", "carol@example.org", "dave@example.org"]
    );

    let m = MessageParser::default().parse(&built.raw).unwrap();
    assert_eq!(m.subject(), Some("Grüße aus Köln — ☕"));
    assert_eq!(m.from().unwrap().first().unwrap().name(), Some("Älice"));
    assert_eq!(m.to().unwrap().first().unwrap().name(), Some("Bøb Ünïcode"));
    assert_eq!(m.message_id(), Some(built.message_id.as_str()));
    assert_eq!(m.in_reply_to().as_text(), Some("parent@example.org"));
    assert_eq!(m.references().as_text_list().unwrap().len(), 2);
    assert_eq!(
        m.body_text(0).unwrap().replace("\r\n", "\n").trim_end(),
        "Hallo Bob,\nschöne Grüße!\n> quoted"
    );
    let html = m.body_html(0).unwrap();
    assert!(html.contains("schöne Grüße!"), "{html}");
    assert!(html.contains("<blockquote"), "{html}");
    let att = m.attachment(0).unwrap();
    assert_eq!(att.attachment_name(), Some("daten ä.bin"));
    assert_eq!(att.contents(), (0..=255u8).collect::<Vec<_>>().as_slice());
}

#[test]
fn draft_copy_keeps_bcc() {
    let from = addr("", "alice@example.org");
    let built = build(&draft(), &from, Purpose::Draft, 1_700_000_000, &[]).unwrap();
    let m = MessageParser::default().parse(&built.raw).unwrap();
    assert_eq!(
        m.bcc().unwrap().first().unwrap().address(),
        Some("dave@example.org")
    );
}

#[test]
fn forwarded_message_is_not_base64() {
    let from = addr("", "alice@example.org");
    let original = b"From: x@y\nSubject: orig\n\nbody line\n".to_vec();
    let d = Draft {
        to: vec![addr("", "bob@example.org")],
        ..Draft::default()
    };
    let att = Attached {
        filename: "orig.eml".into(),
        raw: original,
    };
    let built = build(&d, &from, Purpose::Send, 0, &[att]).unwrap();
    let s = String::from_utf8_lossy(&built.raw);
    assert!(s.contains("message/rfc822"), "{s}");
    assert!(s.contains("Subject: orig\r\n"), "{s}");
}

#[test]
fn refuses_no_recipient_and_bad_addresses() {
    let from = addr("", "alice@example.org");
    let empty = Draft::default();
    assert!(build(&empty, &from, Purpose::Send, 0, &[]).is_err());
    assert!(build(&empty, &from, Purpose::Draft, 0, &[]).is_ok());
    let bad = Draft {
        to: vec![addr("", "not an address")],
        ..Draft::default()
    };
    assert!(build(&bad, &from, Purpose::Send, 0, &[]).is_err());
}

#[test]
fn parses_typed_addresses() {
    let v = parse_addresses("Bob <bob@example.org>, carol@example.org, \"Ünï\" <u@x.org>");
    assert_eq!(v.len(), 3);
    assert_eq!(v[0], addr("Bob", "bob@example.org"));
    assert_eq!(v[1].email, "carol@example.org");
    assert_eq!(v[2].name, "Ünï");
}

#[test]
fn message_ids_are_fresh_and_on_the_domain() {
    let a = new_message_id("a@example.org");
    let b = new_message_id("a@example.org");
    assert_ne!(a, b);
    assert!(a.ends_with("@example.org"));
}
