// Tests of the message list store against a fake api: on-demand pages, coalesced refresh, folder switches.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FolderKey, MessageSummary } from "./api";

// The store talks to the engine only through api; fake the two calls it makes.
const engine = vi.hoisted(() => ({
  count: 1000,
  delayMs: 0,
  messageCount: vi.fn(),
  messages: vi.fn(),
}));

vi.mock("./api", async (importOriginal) => {
  const real = await importOriginal<typeof import("./api")>();
  const later = <T>(value: T) => new Promise<T>((r) => setTimeout(() => r(value), engine.delayMs));
  engine.messageCount.mockImplementation((_folder: FolderKey) => later(engine.count));
  engine.messages.mockImplementation((folder: FolderKey, offset: number, limit: number) => {
    const rows: MessageSummary[] = [];
    for (let i = offset; i < Math.min(engine.count, offset + limit); i++) {
      rows.push({
        id: (folder ?? 0) * 1_000_000 + i + 1,
        folder_id: folder ?? 1,
        uid: i,
        flags: 0,
        subject: `m${i}`,
        from: null,
        date: 0,
        size: 0,
        snippet: "",
        has_attachments: false,
      });
    }
    return later(rows);
  });
  return { ...real, api: { ...real.api, messageCount: engine.messageCount, messages: engine.messages } };
});

const { messageList } = await import("./messageList.svelte");

const pagesAsked = () => engine.messages.mock.calls.map((c) => c[1] as number);

describe("messageList", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    engine.count = 1000;
    engine.delayMs = 0;
    engine.messageCount.mockClear();
    engine.messages.mockClear();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("loads the count, then only the pages in view", async () => {
    messageList.show(7);
    expect(messageList.ready).toBe(false);
    await vi.runAllTimersAsync();
    expect(messageList.ready).toBe(true);
    expect(messageList.count).toBe(1000);
    expect(engine.messages).not.toHaveBeenCalled();

    messageList.setWindow(0, 30);
    await vi.runAllTimersAsync();
    expect(pagesAsked()).toEqual([0]);
    expect(messageList.row(5)?.subject).toBe("m5");

    messageList.setWindow(190, 215);
    messageList.setWindow(191, 216);
    await vi.runAllTimersAsync();
    expect(pagesAsked()).toEqual([0, 200]);
    expect(messageList.row(210)?.subject).toBe("m210");
  });

  it("opens a 100,000-message folder with one count and one page", async () => {
    engine.count = 100_000;
    messageList.show(8);
    await vi.runAllTimersAsync();
    messageList.setWindow(0, 25);
    await vi.runAllTimersAsync();
    expect(engine.messageCount).toHaveBeenCalledTimes(1);
    expect(engine.messages).toHaveBeenCalledTimes(1);
    messageList.setWindow(60_000, 60_025);
    await vi.runAllTimersAsync();
    expect(pagesAsked()).toEqual([0, 60_000]);
  });

  it("re-queries once for a burst of events, and only the visible pages", async () => {
    messageList.show(7);
    await vi.runAllTimersAsync();
    messageList.setWindow(0, 30);
    await vi.runAllTimersAsync();
    messageList.setWindow(400, 430);
    await vi.runAllTimersAsync();
    engine.messageCount.mockClear();
    engine.messages.mockClear();

    engine.count = 1003; // three new messages at the top
    for (let i = 0; i < 100; i++) messageList.refresh();
    await vi.advanceTimersByTimeAsync(99);
    expect(engine.messageCount).not.toHaveBeenCalled();
    await vi.runAllTimersAsync();
    expect(engine.messageCount).toHaveBeenCalledTimes(1);
    expect(pagesAsked()).toEqual([400]);
    expect(messageList.count).toBe(1003);
    // The page scrolled away from was dropped, so it is fetched fresh when it comes back.
    messageList.setWindow(0, 30);
    await vi.runAllTimersAsync();
    expect(pagesAsked()).toEqual([400, 0]);
  });

  it("drops answers for a folder that is no longer shown", async () => {
    engine.delayMs = 50;
    messageList.show(7);
    await vi.advanceTimersByTimeAsync(60);
    messageList.setWindow(0, 10);
    messageList.show(9); // before folder 7's page arrives
    await vi.runAllTimersAsync();
    messageList.setWindow(0, 10);
    await vi.runAllTimersAsync();
    expect(messageList.row(0)?.id).toBe(9_000_001);
  });

  it("marks an opened message read at once, and finds rows by id", async () => {
    messageList.show(7);
    await vi.runAllTimersAsync();
    messageList.setWindow(0, 10);
    await vi.runAllTimersAsync();
    const id = messageList.row(3)!.id;
    expect(messageList.indexOf(id)).toBe(3);
    messageList.markSeen(id);
    expect(messageList.row(3)!.flags & 1).toBe(1);
  });

  it("shows an empty folder as ready with no rows", async () => {
    engine.count = 0;
    messageList.show(3);
    await vi.runAllTimersAsync();
    messageList.setWindow(0, 0);
    await vi.runAllTimersAsync();
    expect(messageList.ready).toBe(true);
    expect(messageList.count).toBe(0);
    expect(engine.messages).not.toHaveBeenCalled();
  });
});
