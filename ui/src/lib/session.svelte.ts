// The app's lifetime: start-up (accounts, folders, status, restored state), routing engine
// events to the stores, remembering what is shown (ui_state), telling the shell what is in view,
// and the screen-level flags (setup form, help, narrow-window panes).

import type { UnlistenFn } from "@tauri-apps/api/event";
import { accounts } from "./accounts.svelte";
import { actions } from "./actions.svelte";
import { api, asUiError, Flags, type Account, type EngineEvent, type FolderKey, type UiError, type UiState } from "./api";
import { coalesce } from "./coalesce";
import { compose } from "./compose.svelte";
import { conversation } from "./conversation.svelte";
import { planEvents } from "./eventPlan";
import { folders } from "./folders.svelte";
import { messageList } from "./messageList.svelte";
import { outbox } from "./outbox.svelte";
import { prefs } from "./prefs.svelte";
import { selection } from "./selection.svelte";
import { status } from "./status.svelte";

export type Phase = "loading" | "ready" | "failed";

/** The account form: adding one, or editing an existing one. */
export type SetupTarget = { mode: "add" } | { mode: "edit"; account: Account };

class Session {
  phase = $state<Phase>("loading");
  startError = $state.raw<UiError | null>(null);
  setup = $state.raw<SetupTarget | null>(null);
  helpOpen = $state(false);
  /** Narrow windows: the folder pane is a drawer. */
  foldersOpen = $state(false);
  /** Very narrow windows: the reader covers the list while a message is read. */
  readerOpen = $state(false);

  private saved: UiState = { folder_id: null, message_id: null };
  private unlisten: UnlistenFn[] = [];
  private reloadFolders = coalesce(() => this.refreshFolders(), 100);
  private reloadPending = coalesce(() => actions.refreshPending(), 300);
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  /** Loads everything and restores the last folder and message. */
  async start(): Promise<void> {
    try {
      // Listen first, so nothing that happens while loading is missed.
      this.unlisten = await Promise.all([
        api.onEvents((events) => this.handleEvents(events)),
        api.onOpenMessage((id) => void this.openFromNotification(id)),
      ]);
      await accounts.load();
      if (accounts.list.length === 0) {
        this.phase = "ready";
        return;
      }
      await Promise.all([folders.load(), status.load(), actions.refreshPending()]);
      this.saved = await api.uiState().catch(() => this.saved);
      prefs.load(this.saved);
      void outbox.refresh();
      messageList.setThreaded(this.saved.threaded === true);
      const folder = this.saved.folder_id;
      selection.showFolder(folder !== null && folders.byId.has(folder) ? folder : null);
      this.tellViewing();
      const message = this.saved.message_id;
      this.phase = "ready";
      if (message !== null && !messageList.threaded) {
        selection.revealId = message;
        selection.setCursor(-1, message);
        await selection.open(message, { quiet: true });
      }
    } catch (e) {
      this.startError = asUiError(e);
      this.phase = "failed";
    }
  }

  stop(): void {
    for (const u of this.unlisten) u();
    this.unlisten = [];
  }

  /** Shows a folder and tells the shell. */
  showFolder(folder: FolderKey): void {
    if (folder === selection.folder && messageList.ready) return;
    selection.showFolder(folder);
    this.foldersOpen = false;
    this.tellViewing();
    this.persist();
    // Drafts and Sent change by what this app itself appends, which IDLE on the INBOX does not
    // report: check them when they are opened (cheap with CONDSTORE).
    const f = folder === null ? undefined : folders.byId.get(folder);
    if (f && (f.role === "drafts" || f.role === "sent")) api.syncNow(f.account_id).catch(() => {});
  }

  /** Opens a message from the list. */
  open(id: number): void {
    this.readerOpen = true;
    void selection.open(id);
    this.persist();
  }

  /** Opens the list row with this id: a conversation, or a message. */
  openRow(id: number): void {
    const index = messageList.indexOf(id);
    const row = index >= 0 ? messageList.row(index) : undefined;
    if (row?.kind === "thread") {
      this.readerOpen = true;
      selection.openThread(row.thread.id);
      this.persist();
      return;
    }
    // A draft (saved here or by another client) opens to be written on.
    const folder = row?.kind === "message" ? folders.byId.get(row.message.folder_id) : undefined;
    if (folder?.role === "drafts") {
      this.readerOpen = true;
      void compose.start("draft", folder.account_id, id);
      return;
    }
    this.open(id);
  }

  /**
   * Stars/unstars or marks read/unread what the cursor is on (a whole conversation in the
   * conversation list), else the open message or conversation. The cache changes at once; the
   * list follows from the engine's event.
   */
  async flag(action: "star" | "markRead" | "markUnread"): Promise<void> {
    const index = selection.cursorPosition();
    const row = index >= 0 ? messageList.row(index) : undefined;
    let ids: number[] = [];
    let threads: number[] = [];
    let starred = false;
    if (row?.kind === "thread") {
      threads = [row.thread.id];
      starred = row.thread.starred;
    } else if (row?.kind === "message") {
      ids = [row.message.id];
      starred = (row.message.flags & Flags.Flagged) !== 0;
    } else if (conversation.id !== null) {
      threads = [conversation.id];
      starred = conversation.messages.some((m) => m.flags & Flags.Flagged);
    } else if (selection.view) {
      ids = [selection.view.summary.id];
      starred = (selection.view.summary.flags & Flags.Flagged) !== 0;
    } else {
      return;
    }
    const [add, remove] =
      action === "star"
        ? starred
          ? [0, Flags.Flagged]
          : [Flags.Flagged, 0]
        : action === "markRead"
          ? [Flags.Seen, 0]
          : [0, Flags.Seen];
    try {
      await api.setFlags(ids, threads, add, remove);
    } catch (e) {
      messageList.error = asUiError(e);
    }
  }

  /** Lists conversations or single messages, and remembers the choice. */
  setThreaded(on: boolean): void {
    selection.setCursor(-1, null);
    messageList.setThreaded(on);
    this.persist();
  }

  /** Tells the shell which folder is on screen; it tracks window focus itself. */
  tellViewing(): void {
    api.viewing(selection.folder).catch(() => {});
  }

  /** A notification was clicked: show that message, in its folder when we know it. */
  private async openFromNotification(id: number): Promise<void> {
    this.readerOpen = true;
    const view = await selection.open(id);
    if (!view) return;
    const fid = view.summary.folder_id;
    const shown = selection.folder;
    const inView = shown === fid || (shown === null && folders.isInbox(fid) === true);
    if (!inView && folders.byId.has(fid)) this.showFolder(fid);
    selection.setCursor(-1, id);
    selection.revealId = id;
    this.persist();
  }

  /** After an account was added, changed or removed. */
  async accountsChanged(): Promise<void> {
    await Promise.all([folders.load(), status.load()]).catch(() => {});
    this.afterFoldersChanged();
    messageList.refresh();
  }

  private async refreshFolders(): Promise<void> {
    await folders.load();
    this.afterFoldersChanged();
  }

  /** The shown folder may have gone (account removed, folder deleted): fall back to the unified inbox. */
  private afterFoldersChanged(): void {
    const shown = selection.folder;
    if (accounts.list.length === 0) {
      selection.close();
      return;
    }
    if (shown !== null && !folders.byId.has(shown)) this.showFolder(null);
    else if (!messageList.ready) this.showFolder(shown);
    // A message of a removed account cannot stay open.
    const open = selection.view?.summary.folder_id;
    if (open !== undefined && folders.loaded && !folders.byId.has(open)) selection.close();
  }

  private handleEvents(events: EngineEvent[]): void {
    const plan = planEvents(events, selection.folder, (id) => folders.isInbox(id));
    for (const c of plan.counts) folders.applyCounts(c.folder, c.total, c.unread);
    for (const s of plan.syncStates) status.setSync(s.account, s.syncing, s.online);
    for (const e of plan.errors) status.setError(e.account, e.error);
    for (const p of plan.progress) status.setProgress(p.account, p.folder, p.done, p.total);
    if (selection.openId !== null && plan.removed.includes(selection.openId)) void selection.recheck();
    if (plan.resyncAll) {
      void accounts.load().catch(() => {});
      void status.load().catch(() => {});
    }
    if (plan.reloadFolders) this.reloadFolders.request();
    // Conversations and search results span folders: any change to mail may change them.
    if (plan.refreshList || (plan.messagesTouched && messageList.mode !== "messages")) messageList.refresh();
    if (plan.messagesTouched) void conversation.reload();
    if (plan.reloadPending || plan.resyncAll) this.reloadPending.request();
    if (plan.reloadOutbox || plan.resyncAll) void outbox.refresh();
  }

  /** Remembers the folder and message, a moment after they change. */
  persist(): void {
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      // Unknown keys the shell added are kept as they came.
      this.saved = {
        ...this.saved,
        folder_id: selection.folder,
        message_id: selection.openId,
        threaded: messageList.threaded,
        ...prefs.toState(),
      };
      api.saveUiState(this.saved).catch(() => {});
    }, 300);
  }
}

export const session = new Session();
