//! Drafts on the server: each local draft (`store/drafts.rs`, saved at once) is mirrored to
//! the special-use Drafts folder (RFC 6154) by the account's outbox task.
//!
//! - **Debounce.** A save sets the draft's `sync_at` a little ahead; another save pushes it
//!   out, so a burst of autosaves makes one APPEND.
//! - **Replace.** The new version is APPENDed (flags `\Draft \Seen`) with a fresh
//!   Message-ID; only then is the old copy deleted, by UID, with `\Deleted` + UID EXPUNGE of
//!   exactly that UID (the rule of the delete path, `imap/write.rs`), and only while the
//!   folder's UIDVALIDITY is the one recorded. A failure between the two leaves two copies
//!   for a moment, never none.
//! - **Exactly once.** The version's Message-ID and bytes are stored before its APPEND. A
//!   rerun searches Drafts for that Message-ID (RFC 3501 §6.4.4) and adopts what it finds.
//! - **Deleting** (by the user, or after the draft was sent) removes every server copy,
//!   then the row.
//! - **Reopening** a message of the Drafts folder (also one another client wrote) parses
//!   it back into a [`Draft`] whose server copy is that message, so the next save replaces
//!   it.

use crate::compose::{self, Content, Draft, DraftAttachment, Purpose};
use crate::error::{Error, ErrorKind, Result};
use crate::events::Event;
use crate::folder::Role;
use crate::imap::ops::Conn;
use crate::imap::raw::Code;
use crate::imap::write::Original;
use crate::message::Address;
use crate::outbox::conn_of;
use crate::store::drafts::{DraftRow, ServerCopy};
use crate::store::outbox::now_ms;
use crate::sync::backoff;
use crate::worker::Ctx;
use mail_parser::{MessageParser, MimeHeaders};

/// How long after the last save the server copy is written.
pub const DRAFT_DEBOUNCE_MS: i64 = 2_000;

/// Writes every due draft to the server; failures are kept on the draft and retried.
pub(crate) async fn sync_due(ctx: &Ctx, conn: &mut Option<Conn>) {
    let rows = match ctx.store.due_drafts(ctx.account.id) {
        Ok(rows) => rows,
        Err(e) => return ctx.report(&e),
    };
    for row in rows {
        let r = sync_one(ctx, conn, &row).await;
        if let Err(e) = r {
            tracing::info!(
                draft = row.id,
                "draft not saved on the server yet: {}",
                e.message
            );
            if !e.kind.is_transient() {
                *conn = None;
            }
            let wait = backoff(row.attempts, ctx.opts.retry_base, ctx.opts.retry_max);
            let _ = ctx
                .store
                .draft_retry(row.id, &e, now_ms() + wait.as_millis() as i64);
        }
        ctx.events.send(Event::DraftsChanged {
            account: ctx.account.id,
        });
    }
}

fn drafts_folder(ctx: &Ctx) -> Result<String> {
    ctx.store
        .folders(ctx.account.id)?
        .into_iter()
        .find(|f| f.role == Role::Drafts && f.selectable)
        .map(|f| f.name)
        .ok_or_else(|| Error::new(ErrorKind::NotFound, "This account has no Drafts folder"))
}

async fn sync_one(ctx: &Ctx, conn: &mut Option<Conn>, row: &DraftRow) -> Result<()> {
    let folder = drafts_folder(ctx)?;
    let c = conn_of(ctx, conn).await?;
    let mut stale = row.stale.clone();
    if let Some(s) = &row.server {
        stale.push(s.clone());
    }
    if row.deleted {
        // A version being appended when the draft was deleted goes too.
        if let Some((mid, _)) = &row.appending {
            c.select(&folder).await?;
            let uidvalidity = ctx.store.folder_uidvalidity(ctx.account.id, &folder)?;
            for uid in c.find_message_id(mid).await? {
                stale.push(ServerCopy {
                    folder: folder.clone(),
                    uidvalidity,
                    uid,
                    message_id: mid.clone(),
                });
            }
        }
        remove_copies(c, &stale).await?;
        return ctx.store.draft_cleaned(row.id, true);
    }
    let (message_id, raw) = match &row.appending {
        Some(v) => v.clone(),
        None => {
            let from = from_address(ctx, &row.draft);
            let built = compose::build(&row.draft, &from, Purpose::Draft, now_ms() / 1000, &[])?;
            ctx.store
                .draft_append_started(row.id, &built.message_id, &built.raw)?;
            (built.message_id, built.raw)
        }
    };
    let mut found = Vec::new();
    if row.appending.is_some() {
        c.select(&folder).await?;
        found = c.find_message_id(&message_id).await?;
    }
    let copy = match found.last() {
        Some(uid) => ServerCopy {
            folder: folder.clone(),
            uidvalidity: ctx.store.folder_uidvalidity(ctx.account.id, &folder)?,
            uid: *uid,
            message_id: message_id.clone(),
        },
        None => {
            let m = Original {
                flags: "\\Draft \\Seen".into(),
                internal_date: None,
                raw,
            };
            match c.append(&folder, &m).await? {
                Code::AppendUid { uidvalidity, uid } => ServerCopy {
                    folder: folder.clone(),
                    uidvalidity,
                    uid,
                    message_id: message_id.clone(),
                },
                _ => {
                    // No UIDPLUS: find it again by Message-ID.
                    let st = c.select(&folder).await?;
                    let uid = c.find_message_id(&message_id).await?.last().copied();
                    ServerCopy {
                        folder: folder.clone(),
                        uidvalidity: st.uidvalidity,
                        uid: uid.unwrap_or(0),
                        message_id: message_id.clone(),
                    }
                }
            }
        }
    };
    ctx.store
        .draft_appended(row.id, row.updated_at, &copy, &stale)?;
    remove_copies(c, &stale).await?;
    ctx.store.draft_cleaned(row.id, false)
}

/// Deletes exactly these copies, each only while its folder's UIDVALIDITY is unchanged (a
/// UID from another validity could name someone else's message).
async fn remove_copies(c: &mut Conn, copies: &[ServerCopy]) -> Result<()> {
    for s in copies {
        if s.uid == 0 {
            continue;
        }
        let st = c.select(&s.folder).await?;
        if s.uidvalidity != 0 && st.uidvalidity != s.uidvalidity {
            continue;
        }
        c.expunge_uids(&[s.uid]).await?;
    }
    Ok(())
}

/// The account's address under the draft's display name (or the account's).
pub(crate) fn from_address(ctx: &Ctx, draft: &Draft) -> Address {
    let cfg = &ctx.account.config;
    Address {
        name: if draft.from_name.is_empty() {
            cfg.display_name.clone()
        } else {
            draft.from_name.clone()
        },
        email: cfg.email.clone(),
    }
}

/// Parses a stored message back into an editable draft for `account`: recipients (Bcc
/// included, as drafts keep it), subject, text and HTML, attachments as bytes, and the
/// threading headers.
pub fn parse(account: i64, raw: &[u8]) -> Draft {
    let Some(m) = MessageParser::default().parse(raw) else {
        return Draft {
            account,
            ..Draft::default()
        };
    };
    use crate::imap::fetch::{addresses, ids};
    let html = m.body_html(0).map(|h| h.into_owned());
    let text = m
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default();
    // A text body that mail-parser derived from the HTML is not the user's: keep the HTML.
    let has_text_part = m.text_body.iter().any(|&i| {
        m.part(i).and_then(|p| p.content_type()).is_some_and(|ct| {
            ct.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("plain"))
        })
    });
    let attachments = m
        .attachments()
        .map(|a| DraftAttachment {
            filename: a.attachment_name().unwrap_or("attachment").to_string(),
            mime: a
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_string(),
                })
                .unwrap_or_default(),
            content: Content::Bytes(a.contents().to_vec()),
        })
        .collect();
    Draft {
        account,
        from_name: String::new(),
        to: addresses(m.to()),
        cc: addresses(m.cc()),
        bcc: addresses(m.bcc()),
        subject: m.subject().unwrap_or_default().to_string(),
        text: if has_text_part || html.is_none() {
            text.trim_end_matches('\n').to_string()
        } else {
            crate::mime::html_to_text(html.as_deref().unwrap_or_default())
        },
        // The editor is part of the app's own page: a stored draft's HTML (which another
        // client may have written) is sanitized like any mail before it gets there.
        html: html
            .filter(|h| !h.trim().is_empty() && !h.contains("<!DOCTYPE html><html><body><div>"))
            .map(|h| crate::sanitize::for_editing(&h)),
        attachments,
        in_reply_to: ids(m.in_reply_to()).into_iter().next().unwrap_or_default(),
        references: ids(m.references()),
        origin: None,
    }
}
