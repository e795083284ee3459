// The outbox as the UI shows it: what waits to be sent (and why, when it failed), and the
// undo-send bar for the message just sent, which takes it back into the compose window.

import { api, asUiError, type OutboxItem, type UiError } from "./api";
import { compose } from "./compose.svelte";

class Outbox {
  items = $state.raw<OutboxItem[]>([]);
  /** The message just sent, while it can still be taken back. */
  justSent = $state.raw<{ id: number; until: number } | null>(null);
  error = $state.raw<UiError | null>(null);
  private timer: ReturnType<typeof setTimeout> | null = null;

  async refresh(): Promise<void> {
    try {
      this.items = await api.outbox();
    } catch {
      // Keep what was shown; the next event tries again.
    }
  }

  /** A message was queued with `delay` seconds to take it back. */
  sent(id: number, delaySeconds: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.justSent = delaySeconds > 0 ? { id, until: Date.now() + delaySeconds * 1000 } : null;
    if (delaySeconds > 0) this.timer = setTimeout(() => (this.justSent = null), delaySeconds * 1000);
    void this.refresh();
  }

  /** Takes a waiting message back into the compose window. */
  async cancel(id: number): Promise<void> {
    if (this.justSent?.id === id) this.justSent = null;
    try {
      compose.resume(await api.cancelSend(id));
    } catch (e) {
      this.error = asUiError(e);
    }
    void this.refresh();
  }
}

export const outbox = new Outbox();
