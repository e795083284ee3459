//! The engine's API for writing mail: send through the outbox with an undo delay, cancel,
//! retry, list the outbox; save, list, open and delete drafts. Each call changes the cache
//! in one transaction, announces it and returns at once; the account's outbox task does the
//! network part (`outbox.rs`, `drafts.rs`).

use crate::account::AccountId;
use crate::compose::{self, Draft, Purpose};
use crate::drafts::{self, DRAFT_DEBOUNCE_MS};
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::events::Event;
use crate::folder::Role;
use crate::message::MessageId;
use crate::store::outbox::now_ms;
use crate::store::{DraftId, DraftInfo, OutboxId, OutboxItem, ServerCopy};
use std::time::Duration;

impl Engine {
    /// Queues `draft` for sending after `delay` (the undo window; zero sends as soon as the
    /// account's outbox task runs). Attachment files are read now. If the draft was saved
    /// (`draft_id`), it leaves the drafts list now and is deleted from the server once the
    /// message has gone. Returns the outbox id for [`Engine::cancel_send`].
    pub fn send(
        &self,
        draft: &Draft,
        draft_id: Option<DraftId>,
        delay: Duration,
    ) -> Result<OutboxId> {
        let account = self.store().account(draft.account)?;
        crate::smtp::server_of(&account)?;
        let from = crate::message::Address {
            name: if draft.from_name.is_empty() {
                account.config.display_name.clone()
            } else {
                draft.from_name.clone()
            },
            email: account.config.email.clone(),
        };
        let built = compose::build(draft, &from, Purpose::Send, now_ms() / 1000, &[])?;
        let send_at = now_ms() + delay.as_millis() as i64;
        let id = self.store().queue_send(draft, draft_id, &built, send_at)?;
        self.outbox_changed(draft.account, draft_id.is_some());
        Ok(id)
    }

    /// Takes a message out of the outbox before it goes (undo send, or giving up on a failed
    /// one) and returns the draft that holds it again. Refused once sending has started.
    pub fn cancel_send(&self, id: OutboxId) -> Result<DraftId> {
        let (account, draft) = self.store().cancel_send(id)?;
        self.outbox_changed(account, true);
        Ok(draft)
    }

    /// Sends a failed message again, now.
    pub fn retry_send(&self, id: OutboxId) -> Result<()> {
        let account = self.store().retry_send(id)?;
        self.outbox_changed(account, false);
        Ok(())
    }

    /// What waits in the outbox (queued, sending, sent but not yet saved, failed), oldest
    /// first; one account's or everyone's.
    pub fn outbox(&self, account: Option<AccountId>) -> Result<Vec<OutboxItem>> {
        self.store().outbox(account)
    }

    /// Carries out the account's outbox and draft syncs now, waiting out undo delays: for
    /// the CLI, or when no worker runs. Items that failed stay for later or for the user.
    pub async fn flush_outbox(&self, account: AccountId) -> Result<()> {
        if let Some(wake) = self.outbox_wake(account) {
            wake.notify_one();
            return Ok(());
        }
        let ctx = self.ctx(self.store().account(account)?);
        crate::outbox::flush(&ctx).await
    }

    /// Saves a draft locally at once (new when `id` is `None`) and schedules its copy in the
    /// Drafts folder, replacing the previous one; rapid saves make one server write.
    pub fn save_draft(&self, id: Option<DraftId>, draft: &Draft) -> Result<DraftId> {
        self.store().account(draft.account)?;
        let id = self.store().save_draft(id, draft, DRAFT_DEBOUNCE_MS)?;
        self.drafts_changed(draft.account);
        Ok(id)
    }

    /// Drafts being edited, newest first.
    pub fn drafts(&self, account: Option<AccountId>) -> Result<Vec<DraftInfo>> {
        self.store().drafts(account)
    }

    /// A saved draft, to edit.
    pub fn draft(&self, id: DraftId) -> Result<Draft> {
        self.store().draft(id)
    }

    /// Deletes a draft here at once and its server copies soon after.
    pub fn delete_draft(&self, id: DraftId) -> Result<()> {
        let account = self.store().delete_draft(id)?;
        self.drafts_changed(account);
        Ok(())
    }

    /// Continues a message of a Drafts folder (written by Tern or another client): returns
    /// the local draft that edits it; saving it replaces that message on the server.
    pub async fn open_draft(&self, message: MessageId) -> Result<(DraftId, Draft)> {
        let detail = self.message(message).await?;
        let folder = self.store().folder(detail.summary.folder_id)?;
        if folder.role != Role::Drafts {
            return Err(Error::new(
                ErrorKind::Refused,
                "Only a message in a Drafts folder can be continued as a draft",
            ));
        }
        let raw = self.store().raw_body(message)?.unwrap_or_default();
        let draft = drafts::parse(folder.account_id, &raw);
        let copy = ServerCopy {
            folder: folder.name.clone(),
            uidvalidity: self
                .store()
                .folder_uidvalidity(folder.account_id, &folder.name)?,
            uid: detail.summary.uid,
            message_id: detail.message_id.clone(),
        };
        let id = self.store().adopt_draft(message, &draft, &copy)?;
        let draft = self.store().draft(id)?;
        self.drafts_changed(folder.account_id);
        Ok((id, draft))
    }

    fn outbox_wake(&self, account: AccountId) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        self.worker_outbox(account)
    }

    fn outbox_changed(&self, account: AccountId, drafts: bool) {
        self.event_sender().send(Event::OutboxChanged { account });
        if drafts {
            self.event_sender().send(Event::DraftsChanged { account });
        }
        if let Some(w) = self.outbox_wake(account) {
            w.notify_one();
        }
    }

    fn drafts_changed(&self, account: AccountId) {
        self.event_sender().send(Event::DraftsChanged { account });
        if let Some(w) = self.outbox_wake(account) {
            w.notify_one();
        }
    }
}
