// Merges bursts of requests into one run: the first request starts a short timer, later ones
// ride along, and a request during a run schedules exactly one more run after it.

export interface Coalescer {
  /** Asks for a run; returns at once. */
  request(): void;
  /** Drops any pending run (the view went away). */
  cancel(): void;
}

export function coalesce(run: () => Promise<void>, delayMs: number): Coalescer {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let again = false;
  let cancelled = 0;

  const fire = async () => {
    timer = null;
    running = true;
    const epoch = cancelled;
    try {
      await run();
    } catch {
      // The run reports its own errors; a failure must not stop later runs.
    } finally {
      running = false;
      if (again && epoch === cancelled) {
        again = false;
        timer = setTimeout(fire, delayMs);
      }
    }
  };

  return {
    request() {
      if (running) again = true;
      else if (timer === null) timer = setTimeout(fire, delayMs);
    },
    cancel() {
      cancelled++;
      again = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
