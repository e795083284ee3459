//! Reply, reply-all and forward drafts from a cached message: subjects, threading headers
//! (RFC 5322 §3.6.4), recipients and the quoted or forwarded original.

use crate::compose::{Content, Draft, DraftAttachment, Origin, OriginKind};
use crate::engine::Engine;
use crate::error::Result;
use crate::message::{Address, MessageDetail, MessageId};

/// How to answer a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// To the sender (or its Reply-To).
    Sender,
    /// To the sender and every other recipient, without the user's own addresses.
    All,
}

/// "Re: " once, however many replies deep (RFC 5322 §3.6.5: "Re: " prefixes the original).
pub fn reply_subject(s: &str) -> String {
    format!("Re: {}", strip_prefixes(s))
}

/// "Fwd: " once.
pub fn forward_subject(s: &str) -> String {
    format!("Fwd: {}", strip_prefixes(s))
}

fn strip_prefixes(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let cut = ["re:", "fwd:", "fw:", "aw:", "wg:", "sv:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len());
        match cut {
            Some(n) => s = s[n..].trim_start(),
            None => return s,
        }
    }
}

/// References for a reply: the original's References (or its In-Reply-To when it has
/// none) followed by its Message-ID (RFC 5322 §3.6.4).
pub fn references(m: &MessageDetail) -> Vec<String> {
    let mut v = if m.references.is_empty() && !m.in_reply_to.is_empty() {
        vec![m.in_reply_to.clone()]
    } else {
        m.references.clone()
    };
    if !m.message_id.is_empty() && !v.contains(&m.message_id) {
        v.push(m.message_id.clone());
    }
    v
}

/// The recipients of a reply: Reply-To when set, else From; for reply-all also the
/// original's To and Cc. The user's own addresses go, and each address appears once.
pub fn reply_recipients(
    m: &MessageDetail,
    kind: ReplyKind,
    own: &[String],
) -> (Vec<Address>, Vec<Address>) {
    let is_own = |a: &Address| own.iter().any(|o| o.eq_ignore_ascii_case(a.email.trim()));
    let from: Vec<Address> = m.summary.from.iter().cloned().collect();
    let mut primary = if m.reply_to.is_empty() {
        from.clone()
    } else {
        m.reply_to.clone()
    };
    // Replying to one's own sent message answers its recipients instead (as in Thunderbird).
    if primary.iter().all(is_own) && !m.to.is_empty() {
        primary = m.to.clone();
    }
    let mut seen = std::collections::HashSet::new();
    let mut keep = |a: &Address| !is_own(a) && seen.insert(a.email.to_ascii_lowercase());
    let to: Vec<Address> = primary.iter().filter(|a| keep(a)).cloned().collect();
    let cc = match kind {
        ReplyKind::Sender => Vec::new(),
        ReplyKind::All => {
            m.to.iter()
                .chain(&m.cc)
                .filter(|a| keep(a))
                .cloned()
                .collect()
        }
    };
    (to, cc)
}

/// "On <date>, <sender> wrote:" then every line of the original prefixed with "> ".
pub fn quote(m: &MessageDetail, text: &str) -> String {
    let who = m
        .summary
        .from
        .as_ref()
        .map(|a| a.to_string())
        .unwrap_or_else(|| "someone".into());
    let mut out = format!("\n\nOn {}, {who} wrote:\n", rfc_date(m.summary.date));
    for line in text.replace("\r\n", "\n").trim_end().lines() {
        if line.starts_with('>') {
            out.push('>');
        } else {
            out.push_str("> ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn rfc_date(unix: i64) -> String {
    mail_builder::headers::date::Date::new(unix).to_rfc822()
}

fn forward_block(m: &MessageDetail, text: &str) -> String {
    let list = |v: &[Address]| {
        v.iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from("\n\n-------- Forwarded Message --------\n");
    out.push_str(&format!("Subject: {}\n", m.summary.subject));
    out.push_str(&format!("Date: {}\n", rfc_date(m.summary.date)));
    if let Some(f) = &m.summary.from {
        out.push_str(&format!("From: {f}\n"));
    }
    if !m.to.is_empty() {
        out.push_str(&format!("To: {}\n", list(&m.to)));
    }
    if !m.cc.is_empty() {
        out.push_str(&format!("Cc: {}\n", list(&m.cc)));
    }
    out.push('\n');
    out.push_str(text.replace("\r\n", "\n").trim_end());
    out.push('\n');
    out
}

impl Engine {
    /// A reply draft to a cached message (its body fetched if needed).
    pub async fn reply_draft(&self, id: MessageId, kind: ReplyKind) -> Result<Draft> {
        let m = self.message(id).await?;
        let account = self.account(self.store().folder(m.summary.folder_id)?.account_id)?;
        let own = vec![account.config.email.clone()];
        let (to, cc) = reply_recipients(&m, kind, &own);
        let text = m.body.as_ref().map(|b| b.text.clone()).unwrap_or_default();
        Ok(Draft {
            account: account.id,
            to,
            cc,
            subject: reply_subject(&m.summary.subject),
            text: quote(&m, &text),
            in_reply_to: m.message_id.clone(),
            references: references(&m),
            origin: Some(Origin {
                message: id,
                kind: OriginKind::Reply,
            }),
            ..Draft::default()
        })
    }

    /// A forward draft: the original inline (with its headers block and attachments), or
    /// whole as a `message/rfc822` attachment.
    pub async fn forward_draft(&self, id: MessageId, as_attachment: bool) -> Result<Draft> {
        let m = self.message(id).await?;
        let account = self.store().folder(m.summary.folder_id)?.account_id;
        let raw = self.store().raw_body(id)?.unwrap_or_default();
        let mut d = Draft {
            account,
            subject: forward_subject(&m.summary.subject),
            origin: Some(Origin {
                message: id,
                kind: OriginKind::Forward,
            }),
            ..Draft::default()
        };
        if as_attachment {
            let name = crate::mime::safe_filename(&m.summary.subject);
            d.attachments.push(DraftAttachment {
                filename: format!(
                    "{}.eml",
                    if name.is_empty() {
                        "message".into()
                    } else {
                        name
                    }
                ),
                mime: "message/rfc822".into(),
                content: Content::Bytes(raw),
            });
        } else {
            let text = m.body.as_ref().map(|b| b.text.clone()).unwrap_or_default();
            d.text = forward_block(&m, &text);
            let parsed = crate::drafts::parse(account, &raw);
            d.attachments = parsed.attachments;
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_not_doubled() {
        assert_eq!(reply_subject("Hello"), "Re: Hello");
        assert_eq!(reply_subject("Re: RE: Hello"), "Re: Hello");
        assert_eq!(reply_subject("AW: Hello"), "Re: Hello");
        assert_eq!(forward_subject("Fwd: Re: Hello"), "Fwd: Hello");
    }

    fn detail() -> MessageDetail {
        let a = |e: &str| Address {
            name: String::new(),
            email: e.into(),
        };
        let mut m: MessageDetail = serde_json::from_value(serde_json::json!({
            "summary": {"id": 1, "folder_id": 1, "uid": 1, "flags": 0, "subject": "S",
                        "from": {"email": "bob@x.org"}, "date": 0, "size": 0, "snippet": "",
                        "has_attachments": false, "thread_id": 0},
            "to": [], "cc": [], "reply_to": [], "message_id": "m3@x", "in_reply_to": "m2@x",
            "references": ["m1@x", "m2@x"], "parts": [], "body": null
        }))
        .unwrap();
        m.to = vec![a("me@x.org"), a("carol@x.org")];
        m.cc = vec![a("Dave@x.org"), a("bob@x.org")];
        m
    }

    #[test]
    fn reply_all_drops_own_addresses_and_duplicates() {
        let m = detail();
        let own = vec!["ME@x.org".to_string()];
        let (to, cc) = reply_recipients(&m, ReplyKind::All, &own);
        assert_eq!(
            to.iter().map(|a| a.email.as_str()).collect::<Vec<_>>(),
            ["bob@x.org"]
        );
        assert_eq!(
            cc.iter().map(|a| a.email.as_str()).collect::<Vec<_>>(),
            ["carol@x.org", "Dave@x.org"]
        );
        let (to, cc) = reply_recipients(&m, ReplyKind::Sender, &own);
        assert_eq!(to.len(), 1);
        assert!(cc.is_empty());
        assert_eq!(references(&m), ["m1@x", "m2@x", "m3@x"]);
    }

    #[test]
    fn reply_to_is_honoured_and_quotes_have_attribution() {
        let mut m = detail();
        m.reply_to = vec![Address {
            name: String::new(),
            email: "list@x.org".into(),
        }];
        let (to, _) = reply_recipients(&m, ReplyKind::Sender, &[]);
        assert_eq!(to[0].email, "list@x.org");
        let q = quote(&m, "line one\n> older\n");
        assert!(
            q.contains("bob@x.org wrote:\n> line one\n>> older\n"),
            "{q}"
        );
    }
}
