// Tests of request coalescing: one run per burst, no starvation, one rerun after a busy run.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { coalesce } from "./coalesce";

describe("coalesce", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs once for a burst of requests, after the delay", async () => {
    const run = vi.fn(async () => {});
    const c = coalesce(run, 100);
    for (let i = 0; i < 50; i++) c.request();
    await vi.advanceTimersByTimeAsync(99);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("does not starve under a steady stream: one run per delay", async () => {
    const run = vi.fn(async () => {});
    const c = coalesce(run, 100);
    for (let t = 0; t < 1000; t += 10) {
      c.request();
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(run.mock.calls.length).toBeGreaterThanOrEqual(9);
    expect(run.mock.calls.length).toBeLessThanOrEqual(10);
  });

  it("runs exactly once more for requests made during a run", async () => {
    let finish: () => void = () => {};
    const run = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const c = coalesce(run, 100);
    c.request();
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(1);
    c.request();
    c.request();
    finish();
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(2);
    finish();
    await vi.advanceTimersByTimeAsync(500);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("keeps working after a failed run, and cancel drops a pending run", async () => {
    const run = vi.fn(async () => {
      throw new Error("offline");
    });
    const c = coalesce(run, 100);
    c.request();
    await vi.advanceTimersByTimeAsync(100);
    c.request();
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(2);
    c.request();
    c.cancel();
    await vi.advanceTimersByTimeAsync(500);
    expect(run).toHaveBeenCalledTimes(2);
  });
});
