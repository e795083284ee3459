// Acting on mail from the UI: archive, delete, junk, move and copy of what is picked (or under
// the cursor), the undo bar for the last one, the confirmations a permanent change needs, and
// what waits for the server or failed. The engine changes the cache at once and queues the
// server's part; the list follows from its events.

import { api, asUiError, type ActionDone, type PendingState, type UiError } from "./api";
import { folders } from "./folders.svelte";
import { selection, type Targets } from "./selection.svelte";

/** How long the undo bar stays. */
export const UNDO_MS = 8000;

export interface UndoOffer {
  text: string;
  token: number;
}

/** A question the user must answer before a change that cannot be undone. */
export interface Confirmation {
  title: string;
  detail: string;
  confirm: string;
  /** A text field to fill in first (a folder's name), with its label and starting value. */
  input?: { label: string; value: string };
  /** Destructive: the confirm button is shown as dangerous. */
  danger?: boolean;
  run: (value: string) => Promise<void>;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? `1 ${one}` : `${n} ${many}`;
}

/** "Moved 3 messages to Archive" and the like, for the undo bar. */
export function describe(verb: string, done: ActionDone): string {
  const what = plural(done.count, "message", "messages");
  return done.destination ? `${verb} ${what} to ${done.destination}` : `${verb} ${what}`;
}

class Actions {
  offer = $state.raw<UndoOffer | null>(null);
  error = $state.raw<UiError | null>(null);
  confirmation = $state.raw<Confirmation | null>(null);
  /** A short message for the user that is not an error of an action (a refused link). */
  notice = $state<string | null>(null);
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  /** The folder picker is open, to move or copy. */
  picking = $state<"move" | "copy" | null>(null);
  pending = $state.raw<PendingState>({ waiting: [], failed: [] });
  private timer: ReturnType<typeof setTimeout> | null = null;

  private targets(): Targets | null {
    const t = selection.targets();
    return t.ids.length || t.threadIds.length ? t : null;
  }

  private async run(verb: string, call: (t: Targets) => Promise<ActionDone>, targets = this.targets()): Promise<void> {
    const t = targets;
    if (!t) return;
    this.error = null;
    try {
      const done = await call(t);
      selection.clearPicked();
      this.show(done.undo === null ? null : { text: describe(verb, done), token: done.undo });
      void this.refreshPending();
    } catch (e) {
      this.error = asUiError(e);
    }
  }

  private show(offer: UndoOffer | null): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.offer = offer;
    if (offer) this.timer = setTimeout(() => (this.offer = null), UNDO_MS);
  }

  archive(): Promise<void> {
    return this.run("Archived", (t) => api.archive(t.ids, t.threadIds, selection.folder));
  }

  junk(junk = true): Promise<void> {
    return this.run(junk ? "Marked as junk" : "Marked as not junk", (t) => api.junk(t.ids, t.threadIds, selection.folder, junk));
  }

  /** Deletes: to Trash, or, in a Trash folder, permanently after a confirmation. */
  async remove(): Promise<void> {
    const t = this.targets();
    if (!t) return;
    const shown = selection.folder;
    const inTrash = shown !== null && folders.byId.get(shown)?.role === "trash";
    if (!inTrash) return this.run("Deleted", (x) => api.remove(x.ids, x.threadIds, selection.folder, false));
    const n = t.ids.length + t.threadIds.length;
    this.confirmation = {
      title: "Delete permanently?",
      detail: `${n === 1 ? "This message" : `These ${n} ${t.threadIds.length ? "conversations" : "messages"}`} will be deleted from the server. This cannot be undone.`,
      confirm: "Delete permanently",
      danger: true,
      run: () => this.run("Deleted", (x) => api.remove(x.ids, x.threadIds, selection.folder, true)),
    };
  }

  /** Moves or copies to a folder (the picker, or a drop). */
  moveTo(folderId: number, copy: boolean, targets?: Targets): Promise<void> {
    this.picking = null;
    const verb = copy ? "Copied" : "Moved";
    return this.run(verb, (t) => api.move(t.ids, t.threadIds, selection.folder, folderId, copy), targets ?? this.targets());
  }

  /** Undoes the last undoable action, locally at once and on the server. */
  async undo(): Promise<void> {
    const offer = this.offer;
    if (!offer) return;
    this.show(null);
    try {
      await api.undo(offer.token);
      void this.refreshPending();
    } catch (e) {
      this.error = asUiError(e);
    }
  }

  async answer(yes: boolean, value = ""): Promise<void> {
    const c = this.confirmation;
    this.confirmation = null;
    if (!yes || !c) return;
    try {
      await c.run(value);
    } catch (e) {
      this.error = asUiError(e);
    }
  }

  /** Re-reads what waits for the server and what failed (after actions, and on events). */
  async refreshPending(): Promise<void> {
    try {
      this.pending = await api.pending();
    } catch {
      // The status bar keeps what it showed; the next event tries again.
    }
  }

  async dismiss(id: number): Promise<void> {
    try {
      await api.dismissFailure(id);
    } finally {
      void this.refreshPending();
    }
  }

  ask(confirmation: Confirmation): void {
    this.confirmation = confirmation;
  }

  /** Shows `text` for a while (until dismissed, or UNDO_MS). */
  notify(text: string): void {
    if (this.noticeTimer !== null) clearTimeout(this.noticeTimer);
    this.notice = text;
    this.noticeTimer = setTimeout(() => (this.notice = null), UNDO_MS);
  }

  dismissNotice(): void {
    if (this.noticeTimer !== null) clearTimeout(this.noticeTimer);
    this.noticeTimer = null;
    this.notice = null;
  }

  dismissError(): void {
    this.error = null;
  }
}

export const actions = new Actions();
