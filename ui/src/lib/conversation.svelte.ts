// The open conversation: its messages in every folder (oldest first), which ones are expanded,
// and the rendered view of each expanded one. Older read messages start collapsed to a line;
// unread ones and the newest start open (opening marks them read, as opening a message does).

import { SvelteMap, SvelteSet } from "svelte/reactivity";
import { api, asUiError, Flags, type MessageSummary, type MessageView, type UiError } from "./api";

class Conversation {
  /** The open conversation's id, or null. */
  id = $state<number | null>(null);
  messages = $state.raw<MessageSummary[]>([]);
  loading = $state(false);
  error = $state.raw<UiError | null>(null);
  readonly expanded = new SvelteSet<number>();
  readonly views = new SvelteMap<number, MessageView>();
  readonly failures = new SvelteMap<number, UiError>();
  private token = 0;

  async open(id: number): Promise<void> {
    const token = ++this.token;
    this.id = id;
    this.messages = [];
    this.expanded.clear();
    this.views.clear();
    this.failures.clear();
    this.error = null;
    this.loading = true;
    try {
      const messages = await api.threadMessages(id);
      if (token !== this.token) return;
      this.messages = messages;
      const last = messages[messages.length - 1];
      for (const m of messages) {
        if (!(m.flags & Flags.Seen) || m === last) this.expand(m.id);
      }
    } catch (e) {
      if (token === this.token) this.error = asUiError(e);
    } finally {
      if (token === this.token) this.loading = false;
    }
  }

  /** Mail arrived, changed or went: re-read the messages, keeping what is expanded. */
  async reload(): Promise<void> {
    const id = this.id;
    if (id === null) return;
    const token = this.token;
    try {
      const messages = await api.threadMessages(id);
      if (token !== this.token) return;
      this.messages = messages;
      if (messages.length === 0) this.error = { kind: "not-found", message: "This conversation is no longer here." };
    } catch {
      // Keep showing what was there; the next event tries again.
    }
  }

  toggle(messageId: number): void {
    if (this.expanded.has(messageId)) this.expanded.delete(messageId);
    else this.expand(messageId);
  }

  private expand(messageId: number): void {
    this.expanded.add(messageId);
    if (!this.views.has(messageId)) void this.load(messageId, () => api.openMessage(messageId));
  }

  /** Shows remote content of one message, once or always for its sender. */
  allowRemote(messageId: number, always: boolean): void {
    void this.load(messageId, () => api.allowRemoteContent(messageId, always));
  }

  private async load(messageId: number, get: () => Promise<MessageView>): Promise<void> {
    const token = this.token;
    this.failures.delete(messageId);
    try {
      const view = await get();
      if (token !== this.token) return;
      this.views.set(messageId, view);
      // Opening marked it read: show that at once.
      this.messages = this.messages.map((m) => (m.id === messageId ? { ...m, flags: m.flags | Flags.Seen } : m));
    } catch (e) {
      if (token === this.token) this.failures.set(messageId, asUiError(e));
    }
  }

  close(): void {
    this.token++;
    this.id = null;
    this.messages = [];
    this.expanded.clear();
    this.views.clear();
    this.failures.clear();
    this.loading = false;
    this.error = null;
  }
}

export const conversation = new Conversation();
