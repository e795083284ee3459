// Tests of the virtual window and the paging cache: which pages to fetch, staleness, invalidation.
import { describe, expect, it } from "vitest";
import { PageCache, pagesFor, visibleRange } from "./paging";

type Row = { id: number };
const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i }));

describe("visibleRange", () => {
  it("covers the viewport plus overscan", () => {
    // Rows 10..19 are on screen (row height 50, 500 px tall, scrolled 500 px).
    expect(visibleRange(500, 500, 50, 1000, 5)).toEqual({ start: 5, end: 25 });
  });
  it("clips at both ends of the list", () => {
    expect(visibleRange(0, 500, 50, 1000, 5)).toEqual({ start: 0, end: 15 });
    expect(visibleRange(49_600, 500, 50, 1000, 5)).toEqual({ start: 987, end: 1000 });
    expect(visibleRange(0, 500, 50, 3, 5)).toEqual({ start: 0, end: 3 });
  });
  it("is empty for an empty list or before layout", () => {
    expect(visibleRange(0, 500, 50, 0, 5)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(0, 0, 50, 100, 0)).toEqual({ start: 0, end: 0 });
  });
  it("stays cheap for a huge folder: only the window, whatever the count", () => {
    const r = visibleRange(52 * 60_000, 800, 52, 100_000, 8);
    expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(800 / 52) + 17);
    expect(r.start).toBe(60_000 - 8);
  });
});

describe("pagesFor", () => {
  it("names the pages that hold a window", () => {
    expect(pagesFor(0, 30, 1000, 200)).toEqual([0]);
    expect(pagesFor(190, 215, 1000, 200)).toEqual([0, 1]);
    expect(pagesFor(400, 400, 1000, 200)).toEqual([]);
  });
  it("does not ask past the end", () => {
    expect(pagesFor(380, 420, 401, 200)).toEqual([1, 2]);
    expect(pagesFor(380, 420, 400, 200)).toEqual([1]);
  });
});

describe("PageCache", () => {
  it("fetches each missing page once", () => {
    const c = new PageCache<Row>(10);
    expect(c.needed(5, 25, 100)).toEqual([0, 1, 2]);
    const t0 = c.begin(0);
    c.begin(1);
    expect(c.needed(5, 25, 100)).toEqual([2]);
    c.finish(0, t0, rows(100, 10));
    expect(c.needed(5, 25, 100)).toEqual([2]);
    expect(c.get(3)).toEqual({ id: 103 });
    expect(c.get(13)).toBeUndefined();
  });

  it("lets a failed page be asked for again", () => {
    const c = new PageCache<Row>(10);
    const t = c.begin(0);
    c.fail(0, t);
    expect(c.needed(0, 5, 100)).toEqual([0]);
  });

  it("keeps visible pages as stale on invalidation and drops the rest", () => {
    const c = new PageCache<Row>(10);
    c.finish(0, c.begin(0), rows(0, 10));
    c.finish(5, c.begin(5), rows(50, 10));
    c.invalidate([0]);
    expect(c.get(0)).toEqual({ id: 0 }); // still shown until the refresh lands
    expect(c.get(50)).toBeUndefined();
    expect(c.needed(0, 10, 100)).toEqual([0]);
    const t = c.begin(0);
    expect(c.needed(0, 10, 100)).toEqual([]);
    c.finish(0, t, rows(1000, 10));
    expect(c.get(0)).toEqual({ id: 1000 });
    expect(c.needed(0, 10, 100)).toEqual([]);
  });

  it("treats an answer to a request made before invalidation as stale", () => {
    const c = new PageCache<Row>(10);
    const old = c.begin(0);
    c.invalidate([0]);
    // The old request is no longer good enough: the page is needed again.
    expect(c.needed(0, 10, 100)).toEqual([0]);
    c.finish(0, old, rows(0, 10));
    expect(c.get(0)).toEqual({ id: 0 });
    expect(c.needed(0, 10, 100)).toEqual([0]);
  });

  it("does not let a late old answer overwrite a fresh page", () => {
    const c = new PageCache<Row>(10);
    const old = c.begin(0);
    c.invalidate([]);
    c.finish(0, c.begin(0), rows(500, 10));
    c.finish(0, old, rows(0, 10));
    expect(c.get(0)).toEqual({ id: 500 });
    expect(c.needed(0, 10, 100)).toEqual([]);
  });

  it("forgets everything on clear, including requests in flight", () => {
    const c = new PageCache<Row>(10);
    const t = c.begin(0);
    c.clear();
    expect(c.needed(0, 10, 100)).toEqual([0]);
    c.finish(0, t, rows(0, 10));
    expect(c.needed(0, 10, 100)).toEqual([0]);
  });

  it("finds and patches rows by id", () => {
    const c = new PageCache<Row & { seen?: boolean }>(10);
    c.finish(2, c.begin(2), rows(20, 10));
    expect(c.indexOf(25)).toBe(25);
    expect(c.indexOf(99)).toBe(-1);
    expect(c.update(25, (r) => ({ ...r, seen: true }))).toBe(true);
    expect(c.get(25)).toEqual({ id: 25, seen: true });
    expect(c.update(99, (r) => r)).toBe(false);
  });

  it("evicts pages far from the window", () => {
    const c = new PageCache<Row>(10);
    for (const p of [0, 1, 5, 9]) c.finish(p, c.begin(p), rows(p * 10, 10));
    c.evictOutside(5, 5, 1);
    expect(c.loadedPages()).toEqual([5]);
  });
});
