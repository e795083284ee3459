// The message list's paging cache: which pages a scroll window needs, which of them are loaded,
// loading or stale, and which may be dropped. Pure; the runes store in messageList.svelte.ts
// drives it with api calls.

export const PAGE_SIZE = 200;

/** The rows to render for a scroll position: [start, end) including overscan, clipped to count. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan: number,
): { start: number; end: number } {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.min(count, Math.max(0, first - overscan));
  const end = Math.min(count, Math.max(start, last + overscan));
  return { start, end };
}

/** The pages holding rows [start, end), within a list of `count` rows. */
export function pagesFor(start: number, end: number, count: number, pageSize = PAGE_SIZE): number[] {
  const s = Math.max(0, start);
  const e = Math.min(end, count);
  if (e <= s) return [];
  const pages: number[] = [];
  for (let p = Math.floor(s / pageSize); p <= Math.floor((e - 1) / pageSize); p++) pages.push(p);
  return pages;
}

interface Page<T> {
  rows: T[];
  /** Shown until its refresh arrives, so rows never blink out. */
  stale: boolean;
}

export class PageCache<T extends { id: number }> {
  readonly pageSize: number;
  private pages = new Map<number, Page<T>>();
  /** Page -> generation its request was made in. */
  private inflight = new Map<number, number>();
  /** Bumped by invalidate and clear; answers to older requests are kept only as stale. */
  private generation = 0;

  constructor(pageSize = PAGE_SIZE) {
    this.pageSize = pageSize;
  }

  /** The row at `index`, if its page is loaded. */
  get(index: number): T | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.rows[index % this.pageSize];
  }

  /** Pages of [start, end) that are missing or stale and not already requested since the last change. */
  needed(start: number, end: number, count: number): number[] {
    return pagesFor(start, end, count, this.pageSize).filter((p) => {
      if (this.inflight.get(p) === this.generation) return false;
      const page = this.pages.get(p);
      return !page || page.stale;
    });
  }

  /** Records that page `p` is being fetched; pass the token to finish or fail. */
  begin(p: number): number {
    this.inflight.set(p, this.generation);
    return this.generation;
  }

  /** Stores a fetched page. One asked for before the last invalidation is kept but stays stale. */
  finish(p: number, token: number, rows: T[]): void {
    if (this.inflight.get(p) === token) this.inflight.delete(p);
    const current = token === this.generation;
    const existing = this.pages.get(p);
    if (!current && existing && !existing.stale) return;
    this.pages.set(p, { rows, stale: !current });
  }

  fail(p: number, token: number): void {
    if (this.inflight.get(p) === token) this.inflight.delete(p);
  }

  /**
   * The list changed on the server side. Pages in `keep` (on screen) stay visible as stale until
   * re-fetched; all others are dropped, since their rows may have shifted.
   */
  invalidate(keep: readonly number[]): void {
    this.generation++;
    for (const [p, page] of this.pages) {
      if (keep.includes(p)) page.stale = true;
      else this.pages.delete(p);
    }
  }

  /** Forgets everything (another folder). */
  clear(): void {
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
  }

  /** Drops loaded pages outside [firstPage - margin, lastPage + margin], bounding memory. */
  evictOutside(firstPage: number, lastPage: number, margin: number): void {
    for (const p of [...this.pages.keys()]) {
      if (p < firstPage - margin || p > lastPage + margin) this.pages.delete(p);
    }
  }

  /** The index of a loaded row, or -1. */
  indexOf(id: number): number {
    for (const [p, page] of this.pages) {
      const i = page.rows.findIndex((r) => r.id === id);
      if (i >= 0) return p * this.pageSize + i;
    }
    return -1;
  }

  /** Changes a loaded row in place (an optimistic local change). Returns whether it was found. */
  update(id: number, change: (row: T) => T): boolean {
    for (const page of this.pages.values()) {
      const i = page.rows.findIndex((r) => r.id === id);
      if (i >= 0) {
        page.rows[i] = change(page.rows[i]!);
        return true;
      }
    }
    return false;
  }

  loadedPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b);
  }
}
