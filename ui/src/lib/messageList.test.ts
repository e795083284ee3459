// Tests of the message list store against a fake api: on-demand pages, coalesced refresh, folder switches.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FolderKey, MessageSummary } from "./api";

// The store talks to the engine only through api; fake the two calls it makes.
const engine = vi.hoisted(() => ({
  count: 1000,
  delayMs: 0,
  messageCount: vi.fn(),
  messages: vi.fn(),
  searchCount: vi.fn(),
  search: vi.fn(),
  searchServer: vi.fn(),
  threadCount: vi.fn(),
  threads: vi.fn(),
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
        thread_id: i + 1,
      });
    }
    return later(rows);
  });
  // Search: 30 local hits for any query, ids 1..30; the server adds ids 901 and 902.
  const hit = (id: number, source: "local" | "server") => ({
    message: { ...summary(id), subject: `hit ${id}` },
    highlighted_subject: `\u0002hit\u0003 ${id}`,
    highlighted_snippet: "",
    source,
  });
  engine.searchCount.mockImplementation(() => later(30));
  engine.search.mockImplementation((_q: string, _f: FolderKey, _e: boolean, offset: number, limit: number) => {
    const out = [];
    for (let i = offset; i < Math.min(30, offset + limit); i++) out.push(hit(i + 1, "local"));
    return later(out);
  });
  engine.searchServer.mockImplementation(() => later([hit(901, "server"), hit(902, "server")]));
  engine.threadCount.mockImplementation(() => later(3));
  engine.threads.mockImplementation(() =>
    later(
      [1, 2, 3].map((id) => ({
        id,
        subject: `t${id}`,
        senders: [],
        count: id,
        unread: 0,
        starred: false,
        has_attachments: false,
        latest_date: 0,
        newest: id * 10,
        snippet: "",
      })),
    ),
  );
  return {
    ...real,
    api: {
      ...real.api,
      messageCount: engine.messageCount,
      messages: engine.messages,
      searchCount: engine.searchCount,
      search: engine.search,
      searchServer: engine.searchServer,
      threadCount: engine.threadCount,
      threads: engine.threads,
    },
  };
});

function summary(id: number): MessageSummary {
  return {
    id,
    folder_id: 1,
    uid: id,
    flags: 0,
    subject: "",
    from: null,
    date: 0,
    size: 0,
    snippet: "",
    has_attachments: false,
    thread_id: id,
  };
}

const { messageList } = await import("./messageList.svelte");

/** The message at a row of a message list. */
const msg = (i: number) => {
  const r = messageList.row(i);
  return r?.kind === "message" ? r.message : undefined;
};

const pagesAsked = () => engine.messages.mock.calls.map((c) => c[1] as number);

describe("messageList", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    engine.count = 1000;
    engine.delayMs = 0;
    engine.messageCount.mockClear();
    engine.messages.mockClear();
    engine.search.mockClear();
    messageList.search("");
    messageList.setThreaded(false);
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
    expect(msg(5)?.subject).toBe("m5");

    messageList.setWindow(190, 215);
    messageList.setWindow(191, 216);
    await vi.runAllTimersAsync();
    expect(pagesAsked()).toEqual([0, 200]);
    expect(msg(210)?.subject).toBe("m210");
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
    expect(msg(3)!.flags & 1).toBe(1);
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

  it("searches, then adds what only the server found after the local hits", async () => {
    messageList.show(7);
    messageList.search("hit");
    await vi.runAllTimersAsync();
    expect(messageList.mode).toBe("search");
    expect(messageList.count).toBe(30);
    messageList.setWindow(0, 40);
    await vi.runAllTimersAsync();
    expect(msg(0)?.id).toBe(1);
    const first = messageList.row(0);
    expect(first?.kind === "message" && first.hit?.highlighted_subject).toBe("\u0002hit\u0003 1");

    const asked = messageList.searchServer();
    await vi.runAllTimersAsync();
    await asked;
    await vi.runAllTimersAsync();
    expect(messageList.server).toBe("done");
    expect(messageList.serverAdded).toBe(2);
    expect(messageList.count).toBe(32);
    const last = messageList.row(31);
    expect(last?.kind === "message" && last.hit?.source).toBe("server");
    expect(msg(30)?.id).toBe(901);

    // Clearing the query lists the folder again, without the server's hits.
    messageList.search("");
    await vi.runAllTimersAsync();
    expect(messageList.mode).toBe("messages");
    expect(messageList.count).toBe(1000);
    expect(messageList.server).toBe("idle");
  });

  it("lists conversations when threaded, and a search lists messages", async () => {
    messageList.show(7);
    messageList.setThreaded(true);
    await vi.runAllTimersAsync();
    messageList.setWindow(0, 10);
    await vi.runAllTimersAsync();
    expect(messageList.mode).toBe("threads");
    expect(messageList.count).toBe(3);
    const t = messageList.row(1);
    expect(t?.kind === "thread" && t.thread.subject).toBe("t2");
    messageList.search("hit");
    await vi.runAllTimersAsync();
    expect(messageList.mode).toBe("search");
    messageList.search("");
    await vi.runAllTimersAsync();
    expect(messageList.mode).toBe("threads");
  });
});
