//! Desktop notifications for new mail (notify-rust): one per message, or one grouped
//! notification when many arrive at once. Clicking opens the message where the platform
//! reports clicks (freedesktop notification servers).

use tauri::{AppHandle, Emitter, Manager};
use tern_engine::{MessageId, NewMailItem};

/// At most this many separate notifications for one batch; more are grouped into one.
const SEPARATE: usize = 3;

/// What one notification says, and which message a click opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub summary: String,
    pub body: String,
    pub open: MessageId,
}

/// Turns a batch of new mail into notifications: separate ones for a few messages, one
/// grouped one (opening the newest) for many.
pub fn notes(items: &[NewMailItem]) -> Vec<Note> {
    let sender = |i: &NewMailItem| {
        i.from
            .as_ref()
            .map(|a| {
                if a.name.is_empty() {
                    a.email.clone()
                } else {
                    a.name.clone()
                }
            })
            .unwrap_or_else(|| "Unknown sender".into())
    };
    let subject = |i: &NewMailItem| {
        if i.subject.is_empty() {
            "(no subject)".to_string()
        } else {
            i.subject.clone()
        }
    };
    if items.len() <= SEPARATE {
        return items
            .iter()
            .map(|i| Note {
                summary: sender(i),
                body: subject(i),
                open: i.id,
            })
            .collect();
    }
    let newest = items
        .iter()
        .max_by_key(|i| (i.date, i.id))
        .unwrap_or(&items[0]);
    let mut senders: Vec<String> = Vec::new();
    for i in items {
        let s = sender(i);
        if !senders.contains(&s) {
            senders.push(s);
        }
    }
    let shown = senders
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = senders.len().saturating_sub(3);
    let body = if more > 0 {
        format!("From {shown} and {more} more")
    } else {
        format!("From {shown}")
    };
    vec![Note {
        summary: format!("{} new messages", items.len()),
        body,
        open: newest.id,
    }]
}

/// Notification servers may read the body as markup: show it as text.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Shows the notifications on a thread of their own (waiting for a click blocks).
pub fn show(app: &AppHandle, notes: Vec<Note>) {
    for note in notes {
        let app = app.clone();
        std::thread::spawn(move || show_one(&app, note));
    }
}

fn show_one(app: &AppHandle, note: Note) {
    let mut n = notify_rust::Notification::new();
    n.appname("Tern")
        .summary(&note.summary)
        .body(&escape(&note.body))
        .icon("mail-unread");
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        n.hint(notify_rust::Hint::Category("email.arrived".into()));
        n.action("default", "Open");
        match n.show() {
            Ok(handle) => handle.wait_for_action(|action| {
                if action == "default" {
                    open_message(app, note.open);
                }
            }),
            Err(e) => tracing::warn!("could not show a notification: {e}"),
        }
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        let _ = app;
        if let Err(e) = n.show() {
            tracing::warn!("could not show a notification: {e}");
        }
    }
}

fn open_message(app: &AppHandle, id: MessageId) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
    let _ = app.emit("tern://open-message", id);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_engine::message::Address;

    fn item(id: i64, name: &str, subject: &str) -> NewMailItem {
        NewMailItem {
            id,
            from: Some(Address {
                name: name.into(),
                email: format!("{id}@x.org"),
            }),
            subject: subject.into(),
            date: id,
        }
    }

    #[test]
    fn few_messages_notify_separately() {
        let n = notes(&[item(1, "Ann", "Hi"), item(2, "", "")]);
        assert_eq!(n.len(), 2);
        assert_eq!(
            (n[0].summary.as_str(), n[0].body.as_str(), n[0].open),
            ("Ann", "Hi", 1)
        );
        assert_eq!(
            (n[1].summary.as_str(), n[1].body.as_str()),
            ("2@x.org", "(no subject)")
        );
    }

    #[test]
    fn many_messages_are_grouped() {
        let items: Vec<_> = (1..=6)
            .map(|i| item(i, &format!("S{}", i % 5), "x"))
            .collect();
        let n = notes(&items);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].summary, "6 new messages");
        assert_eq!(n[0].body, "From S1, S2, S3 and 2 more");
        assert_eq!(n[0].open, 6, "a click opens the newest");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("<b>&</b>"), "&lt;b&gt;&amp;&lt;/b&gt;");
    }
}
