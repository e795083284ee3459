// The shown folder's message list: its count and a paging cache filled on demand for the rows
// in view, re-queried (coalesced, never per message) when events say the folder changed.

import { api, asUiError, Flags, type FolderKey, type MessageSummary, type UiError } from "./api";
import { coalesce } from "./coalesce";
import { PAGE_SIZE, PageCache, pagesFor } from "./paging";

/** Pages kept on either side of the window, so scrolling back is instant but memory stays bounded. */
const KEEP_MARGIN_PAGES = 5;
const REFRESH_DELAY_MS = 100;

class MessageList {
  folder = $state<FolderKey>(null);
  /** Rows in the folder; 0 until known. */
  count = $state(0);
  /** The count has been loaded for this folder (so an empty folder can be told from a loading one). */
  ready = $state(false);
  error = $state.raw<UiError | null>(null);
  /** Bumped on every cache change, so rows re-read the cache. */
  private version = $state(0);

  private cache = new PageCache<MessageSummary>(PAGE_SIZE);
  private window = { start: 0, end: 0 };
  /** Bumped when the folder changes; answers for an older folder are dropped. */
  private session = 0;
  private refresher = coalesce(() => this.refreshNow(), REFRESH_DELAY_MS);

  /** Shows another folder (or the unified inbox), starting from nothing. */
  show(folder: FolderKey): void {
    this.session++;
    this.refresher.cancel();
    this.cache.clear();
    this.folder = folder;
    this.count = 0;
    this.ready = false;
    this.error = null;
    this.window = { start: 0, end: 0 };
    this.version++;
    void this.loadCount();
  }

  private async loadCount(): Promise<void> {
    const session = this.session;
    try {
      const n = await api.messageCount(this.folder);
      if (session !== this.session) return;
      this.count = n;
      this.ready = true;
      this.error = null;
      this.fill();
    } catch (e) {
      if (session === this.session) this.error = asUiError(e);
    }
  }

  /** The rows [start, end) are on screen (with overscan): fetch what they need. */
  setWindow(start: number, end: number): void {
    this.window = { start, end };
    this.fill();
  }

  private fill(): void {
    const { start, end } = this.window;
    for (const p of this.cache.needed(start, end, this.count)) void this.fetchPage(p);
    const pages = pagesFor(start, end, this.count, this.cache.pageSize);
    if (pages.length) this.cache.evictOutside(pages[0]!, pages[pages.length - 1]!, KEEP_MARGIN_PAGES);
  }

  private async fetchPage(page: number): Promise<void> {
    const session = this.session;
    const token = this.cache.begin(page);
    try {
      const rows = await api.messages(this.folder, page * this.cache.pageSize, this.cache.pageSize);
      if (session !== this.session) return;
      this.cache.finish(page, token, rows);
      this.error = null;
      this.version++;
      // A stale answer leaves the page needed: ask again.
      if (this.cache.needed(this.window.start, this.window.end, this.count).length) this.fill();
    } catch (e) {
      if (session !== this.session) return;
      this.cache.fail(page, token);
      this.error = asUiError(e);
    }
  }

  /** Events changed the shown folder: re-query soon, once for the whole burst. */
  refresh(): void {
    this.refresher.request();
  }

  private async refreshNow(): Promise<void> {
    const session = this.session;
    let n: number;
    try {
      n = await api.messageCount(this.folder);
    } catch (e) {
      if (session === this.session) this.error = asUiError(e);
      return;
    }
    if (session !== this.session) return;
    this.count = n;
    this.ready = true;
    this.cache.invalidate(pagesFor(this.window.start, this.window.end, n, this.cache.pageSize));
    this.version++;
    this.fill();
  }

  /** The row at `index`, or undefined while its page loads. Reactive. */
  row(index: number): MessageSummary | undefined {
    void this.version;
    return this.cache.get(index);
  }

  /** Where a loaded message is, or -1. Reactive. */
  indexOf(id: number): number {
    void this.version;
    return this.cache.indexOf(id);
  }

  /** Opening marks a message read: show it at once, before the engine's event comes back. */
  markSeen(id: number): void {
    if (this.cache.update(id, (m) => (m.flags & Flags.Seen ? m : { ...m, flags: m.flags | Flags.Seen }))) this.version++;
  }
}

export const messageList = new MessageList();
