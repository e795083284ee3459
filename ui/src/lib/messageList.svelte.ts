// The middle pane's list: the shown folder's messages or conversations, or search results, with
// its count and a paging cache filled on demand for the rows in view, re-queried (coalesced,
// never per message) when events say what it shows changed.

import { api, asUiError, Flags, type FolderKey, type UiError } from "./api";
import { coalesce } from "./coalesce";
import { folderSource, searchSource, threadSource, type ListMode, type ListRow, type ListSource } from "./listSource";
import { PAGE_SIZE, PageCache, pagesFor } from "./paging";

/** Pages kept on either side of the window, so scrolling back is instant but memory stays bounded. */
const KEEP_MARGIN_PAGES = 5;
const REFRESH_DELAY_MS = 100;

export type ServerSearch = "idle" | "searching" | "done";

class MessageList {
  folder = $state<FolderKey>(null);
  /** Conversations instead of single messages (when not searching). */
  threaded = $state(false);
  /** The search query; "" lists the folder. */
  query = $state("");
  /** Search every folder, or only the shown one. */
  everywhere = $state(true);
  /** Rows in the list; 0 until known. */
  count = $state(0);
  /** The count has been loaded (so an empty list can be told from a loading one). */
  ready = $state(false);
  error = $state.raw<UiError | null>(null);
  /** The server search for the current query. */
  server = $state<ServerSearch>("idle");
  serverError = $state.raw<UiError | null>(null);
  /** How many rows the server search added. */
  serverAdded = $state(0);
  /** Bumped on every cache change, so rows re-read the cache. */
  private version = $state(0);

  private cache = new PageCache<ListRow>(PAGE_SIZE);
  private window = { start: 0, end: 0 };
  private source: ListSource = folderSource(null);
  /** Bumped when what is listed changes; answers for an older list are dropped. */
  private session = 0;
  private refresher = coalesce(() => this.refreshNow(), REFRESH_DELAY_MS);

  get mode(): ListMode {
    return this.source.mode;
  }

  /** Shows another folder (or the unified inbox), starting from nothing; a search stays. */
  show(folder: FolderKey): void {
    this.folder = folder;
    this.restart();
  }

  /** Lists conversations or single messages. */
  setThreaded(on: boolean): void {
    if (on === this.threaded) return;
    this.threaded = on;
    if (!this.query) this.restart();
  }

  /** Searches (or, with "", goes back to the folder). */
  search(query: string, everywhere = this.everywhere): void {
    const q = query.trim();
    if (q === this.query && everywhere === this.everywhere) return;
    this.query = q;
    this.everywhere = everywhere;
    this.restart();
  }

  /** Asks the servers for the current query, adding what the local index did not find. */
  async searchServer(): Promise<void> {
    if (!this.query || this.server === "searching") return;
    const session = this.session;
    const { query, folder, everywhere } = this;
    this.server = "searching";
    this.serverError = null;
    try {
      const hits = await api.searchServer(query, folder, everywhere);
      if (session !== this.session) return;
      this.serverAdded = hits.length;
      this.server = "done";
      this.source = searchSource(query, folder, everywhere, hits);
      this.refresh();
    } catch (e) {
      if (session !== this.session) return;
      this.server = "idle";
      this.serverError = asUiError(e);
    }
  }

  private restart(): void {
    this.session++;
    this.refresher.cancel();
    this.cache.clear();
    this.server = "idle";
    this.serverError = null;
    this.serverAdded = 0;
    this.source = this.query
      ? searchSource(this.query, this.folder, this.everywhere, [])
      : this.threaded
        ? threadSource(this.folder)
        : folderSource(this.folder);
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
      const n = await this.source.count();
      if (session !== this.session) return;
      this.count = n;
      this.ready = true;
      this.error = null;
      this.fill();
    } catch (e) {
      if (session === this.session) {
        this.error = asUiError(e);
        // A query the engine cannot read still leaves an (empty) list to show the error in.
        if (this.query) this.ready = true;
      }
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
      const rows = await this.source.page(page * this.cache.pageSize, this.cache.pageSize);
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

  /** Events changed what is listed: re-query soon, once for the whole burst. */
  refresh(): void {
    this.refresher.request();
  }

  private async refreshNow(): Promise<void> {
    const session = this.session;
    let n: number;
    try {
      n = await this.source.count();
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
  row(index: number): ListRow | undefined {
    void this.version;
    return this.cache.get(index);
  }

  /** Where a loaded row is, by its id, or -1. Reactive. */
  indexOf(id: number): number {
    void this.version;
    return this.cache.indexOf(id);
  }

  /** Opening marks a message read: show it at once, before the engine's event comes back. */
  markSeen(id: number): void {
    const changed = this.cache.update(id, (r) =>
      r.kind === "message" && !(r.message.flags & Flags.Seen)
        ? { ...r, message: { ...r.message, flags: r.message.flags | Flags.Seen } }
        : r,
    );
    if (changed) this.version++;
  }
}

export const messageList = new MessageList();
