// Tests of what engine event batches mean for the screen.
import { describe, expect, it } from "vitest";
import type { EngineEvent } from "./api";
import { planEvents } from "./eventPlan";

const inboxes = new Set([1, 11]);
const known = new Set([1, 2, 11, 12]);
const isInbox = (f: number) => (known.has(f) ? inboxes.has(f) : undefined);

describe("planEvents", () => {
  it("refreshes a folder's list only for its own changes", () => {
    const ev: EngineEvent[] = [{ type: "messages-added", account: 1, folder: 2, ids: [5] }];
    expect(planEvents(ev, 2, isInbox).refreshList).toBe(true);
    expect(planEvents(ev, 1, isInbox).refreshList).toBe(false);
  });

  it("refreshes the unified inbox for any inbox, and for folders not known yet", () => {
    const inbox: EngineEvent[] = [{ type: "messages-changed", account: 2, folder: 11, ids: [1] }];
    const other: EngineEvent[] = [{ type: "messages-removed", account: 2, folder: 12, ids: [1] }];
    const unknown: EngineEvent[] = [{ type: "messages-added", account: 3, folder: 99, ids: [1] }];
    expect(planEvents(inbox, null, isInbox).refreshList).toBe(true);
    expect(planEvents(other, null, isInbox).refreshList).toBe(false);
    expect(planEvents(unknown, null, isInbox).refreshList).toBe(true);
  });

  it("merges a batch into one plan", () => {
    const ev: EngineEvent[] = [
      { type: "messages-added", account: 1, folder: 1, ids: [1] },
      { type: "messages-added", account: 1, folder: 1, ids: [2] },
      { type: "folder-counts", account: 1, folder: 2, total: 10, unread: 3 },
      { type: "messages-removed", account: 1, folder: 2, ids: [7, 8] },
      { type: "sync-state", account: 1, syncing: true, online: true },
      { type: "sync-progress", account: 1, folder: 2, done: 5, total: 10 },
      { type: "account-error", account: 2, error: { kind: "auth", message: "no" } },
      { type: "folders-changed", account: 1 },
      { type: "new-mail", account: 1, folder: 1, messages: [] },
    ];
    const plan = planEvents(ev, 1, isInbox);
    expect(plan.refreshList).toBe(true);
    expect(plan.reloadFolders).toBe(true);
    expect(plan.resyncAll).toBe(false);
    expect(plan.counts).toEqual([{ folder: 2, total: 10, unread: 3 }]);
    expect(plan.removed).toEqual([7, 8]);
    expect(plan.syncStates).toEqual([{ account: 1, syncing: true, online: true }]);
    expect(plan.progress).toEqual([{ account: 1, folder: 2, done: 5, total: 10 }]);
    expect(plan.errors).toEqual([{ account: 2, error: { kind: "auth", message: "no" } }]);
  });

  it("refreshes on a count change of the shown folder", () => {
    const ev: EngineEvent[] = [{ type: "folder-counts", account: 1, folder: 2, total: 1, unread: 0 }];
    expect(planEvents(ev, 2, isInbox).refreshList).toBe(true);
    expect(planEvents(ev, 1, isInbox).refreshList).toBe(false);
  });

  it("re-queries everything on resync-all", () => {
    const plan = planEvents([{ type: "resync-all" }], 2, isInbox);
    expect(plan).toMatchObject({ resyncAll: true, refreshList: true, reloadFolders: true });
  });

  it("does nothing for an empty batch", () => {
    const plan = planEvents([], null, isInbox);
    expect(plan.refreshList || plan.reloadFolders || plan.resyncAll).toBe(false);
  });
});
