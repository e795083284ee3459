// What the user is looking at: the shown folder, the list cursor and the open message with its
// loading and error states. Opening marks the row read locally at once.

import { api, asUiError, type FolderKey, type MessageView, type UiError } from "./api";
import { conversation } from "./conversation.svelte";
import { messageList } from "./messageList.svelte";
import { NOTHING_PICKED, pick, type Picked, type PickMode } from "./picking";

/** What an action applies to: single messages and whole conversations. */
export interface Targets {
  ids: number[];
  threadIds: number[];
}

class Selection {
  /** The folder on screen; null is the unified inbox. */
  folder = $state<FolderKey>(null);
  /** The highlighted row, by id so it stays put when rows shift. */
  cursorId = $state<number | null>(null);
  /** Where the cursor was last seen; used while its row's page is not loaded. */
  cursorIndex = $state(-1);

  openId = $state<number | null>(null);
  view = $state.raw<MessageView | null>(null);
  loading = $state(false);
  error = $state.raw<UiError | null>(null);
  /** The open message was removed on the server. */
  gone = $state(false);
  /** A message to scroll into view once its row is loaded (restored or notified messages). */
  revealId = $state<number | null>(null);

  /** Rows picked for an action (ctrl/shift-click, x); empty means the cursor's row. */
  picked = $state.raw<Picked>(NOTHING_PICKED);

  /** Set by the list view, to scroll it. */
  listView: { reveal(index: number): void; toTop(): void } | null = null;

  private openToken = 0;

  showFolder(folder: FolderKey): void {
    if (folder === this.folder && messageList.ready) return;
    this.folder = folder;
    this.cursorId = null;
    this.cursorIndex = -1;
    this.revealId = null;
    this.picked = NOTHING_PICKED;
    this.listView?.toTop();
    messageList.show(folder);
  }

  /** Puts the cursor on a row. */
  setCursor(index: number, id: number | null): void {
    this.cursorIndex = index;
    this.cursorId = id;
  }

  /** Picks a row with a click's gesture; a plain click picks nothing beyond the cursor. */
  pickRow(index: number, id: number, mode: PickMode): void {
    const at = this.cursorPosition();
    const current = at >= 0 && this.cursorId !== null ? { index: at, id: this.cursorId } : null;
    const next = pick(this.picked, index, id, mode, (i) => messageList.row(i)?.id, current);
    this.picked = mode === "only" ? { ids: [], anchor: index } : next;
    this.setCursor(index, id);
  }

  /** Toggles the cursor's row in the picked set (x). */
  toggleCursorPick(): void {
    const at = this.cursorPosition();
    const id = this.cursorMessage();
    if (at < 0 || id === null) return;
    this.picked = pick(this.picked, at, id, "toggle", (i) => messageList.row(i)?.id);
  }

  /** Moves the cursor by `delta` and picks every row from the anchor to it (Shift+arrows). */
  extend(delta: number): void {
    const from = this.cursorPosition();
    const fromId = this.cursorMessage();
    if (from < 0 || fromId === null) return this.move(delta);
    const state = this.picked.ids.length ? this.picked : { ids: [fromId], anchor: from };
    this.move(delta);
    const to = this.cursorPosition();
    const toId = this.cursorMessage();
    if (to < 0 || toId === null) return;
    this.picked = pick(state, to, toId, "range", (i) => messageList.row(i)?.id);
  }

  isPicked(id: number): boolean {
    return this.picked.ids.includes(id);
  }

  clearPicked(): void {
    this.picked = NOTHING_PICKED;
  }

  /** What an action applies to: the picked rows, else the cursor's, else the open message. */
  targets(): Targets {
    const rowIds = this.picked.ids.length ? this.picked.ids : [this.cursorMessage()].filter((x): x is number => x !== null);
    if (rowIds.length) {
      return messageList.mode === "threads" ? { ids: [], threadIds: rowIds } : { ids: rowIds, threadIds: [] };
    }
    if (conversation.id !== null) return { ids: [], threadIds: [conversation.id] };
    return this.openId !== null ? { ids: [this.openId], threadIds: [] } : { ids: [], threadIds: [] };
  }

  /** The cursor's current index (following its id), or -1. */
  cursorPosition(): number {
    if (this.cursorId !== null) {
      const i = messageList.indexOf(this.cursorId);
      if (i >= 0) return i;
    }
    return this.cursorIndex;
  }

  /** Moves the cursor by `delta` rows, scrolling it into view. */
  move(delta: number): void {
    const count = messageList.count;
    if (count === 0) return;
    const at = this.cursorPosition();
    const target = at < 0 ? 0 : Math.min(count - 1, Math.max(0, at + delta));
    this.setCursor(target, messageList.row(target)?.id ?? null);
    this.listView?.reveal(target);
  }

  /** The id under the cursor, if its row is loaded. */
  cursorMessage(): number | null {
    if (this.cursorId !== null) return this.cursorId;
    return this.cursorIndex >= 0 ? (messageList.row(this.cursorIndex)?.id ?? null) : null;
  }

  /**
   * Opens a message in the reader (the engine marks it read). Resolves to its view, or null when
   * it failed or another message was opened meanwhile. `quiet` shows no error (a restored message
   * that no longer exists).
   */
  async open(id: number, options: { quiet?: boolean } = {}): Promise<MessageView | null> {
    const token = ++this.openToken;
    conversation.close();
    this.openId = id;
    this.view = null;
    this.error = null;
    this.gone = false;
    this.loading = true;
    messageList.markSeen(id);
    try {
      const view = await api.openMessage(id);
      if (token !== this.openToken) return null;
      this.view = view;
      return view;
    } catch (e) {
      if (token !== this.openToken) return null;
      if (options.quiet) this.close();
      else this.error = asUiError(e);
      return null;
    } finally {
      if (token === this.openToken) this.loading = false;
    }
  }

  /**
   * The open message left its folder: moved (it keeps its id and opens from its new folder)
   * or gone from the server. Asks the cache which.
   */
  async recheck(): Promise<void> {
    const id = this.openId;
    if (id === null) return;
    const token = this.openToken;
    try {
      const view = await api.openMessage(id);
      if (token === this.openToken) this.view = view;
    } catch (e) {
      if (token === this.openToken && asUiError(e).kind === "not-found") this.gone = true;
    }
  }

  /** Shows remote content of the open message, once or always for its sender. */
  async allowRemote(always: boolean): Promise<void> {
    const id = this.openId;
    if (id === null) return;
    const token = this.openToken;
    try {
      const view = await api.allowRemoteContent(id, always);
      if (token === this.openToken) this.view = view;
    } catch (e) {
      if (token === this.openToken) this.error = asUiError(e);
    }
  }

  /** Opens a conversation in the reader instead of a single message. */
  openThread(threadId: number): void {
    this.close();
    void conversation.open(threadId);
  }

  close(): void {
    conversation.close();
    this.openToken++;
    this.openId = null;
    this.view = null;
    this.error = null;
    this.loading = false;
    this.gone = false;
  }
}

export const selection = new Selection();
