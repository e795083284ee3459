// Following links in mail: a click reported by the shell from a message's frame (or on a link in
// plain text) is looked up in the links the engine listed for that message and decided by
// lib/links.ts: the browser, a confirmation naming the real target, compose, or a refusal shown
// to the user.

import { actions } from "./actions.svelte";
import { api, asUiError, type Link, type Mailto, type MessageView } from "./api";
import { decide, parseLinkRef } from "./links";

/** Messages whose links are remembered (those recently shown; a conversation shows several). */
const REMEMBERED = 200;

class LinkClicks {
  private views = new Map<number, Link[]>();
  /** Opens compose from a mailto: link; set by the app shell, which knows account and signature. */
  compose: ((mailto: Mailto) => Promise<void>) | null = null;

  /** Records the links of a message being shown, so clicks in its frame can be resolved. */
  remember(view: MessageView): void {
    const id = view.summary.id;
    this.views.delete(id);
    this.views.set(id, view.links ?? []);
    while (this.views.size > REMEMBERED) {
      const oldest = this.views.keys().next().value;
      if (oldest === undefined) break;
      this.views.delete(oldest);
    }
  }

  /** A click in a message's frame, as the shell reported it (a link reference). */
  fromFrame(url: string): Promise<void> {
    const ref = parseLinkRef(url);
    const link = ref ? this.views.get(ref.message)?.[ref.index] : undefined;
    return this.follow(link ?? null);
  }

  async follow(link: Link | null): Promise<void> {
    const d = decide(link);
    switch (d.kind) {
      case "open":
        return this.open(d.url);
      case "compose":
        return this.write(d.url, d.mailto);
      case "confirm": {
        const mailto = d.compose;
        actions.ask({
          title: mailto ? "Write to this address?" : "Open this link?",
          detail: `The link’s text shows “${d.shown}”, but it really goes to ${d.target}`,
          confirm: mailto ? "Write to it" : "Open link",
          danger: true,
          run: () => (mailto ? this.write(d.url, mailto) : this.open(d.url)),
        });
        return;
      }
      case "refuse":
        actions.notify(d.reason);
        return;
    }
  }

  private async open(url: string): Promise<void> {
    try {
      await api.openLink(url);
    } catch (e) {
      actions.notify(asUiError(e).message);
    }
  }

  private async write(url: string, mailto?: Mailto): Promise<void> {
    try {
      const fields = mailto ?? (await api.parseMailto(url));
      await this.compose?.(fields);
    } catch (e) {
      actions.notify(asUiError(e).message);
    }
  }
}

export const linkClicks = new LinkClicks();
