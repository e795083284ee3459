// Reads the recording notification server's log (python3-dbusmock, started by run.sh with
// -l $TERN_E2E_NOTIFY_LOG). One line per D-Bus call, e.g.
//   1732563400.123 Notify "Tern" 0 "mail-unread" "Bob Example" "Hello" ["default", "Open"] {...} -1

import { readFileSync } from "node:fs";

export const LOG = process.env.TERN_E2E_NOTIFY_LOG;

/** Notify calls logged at or after `since` (ms since the epoch): [{time, app, summary, body}]. */
export function notifications(since = 0) {
  if (!LOG) throw new Error("TERN_E2E_NOTIFY_LOG is not set: run the tests with tests/e2e/run.sh");
  const out = [];
  for (const line of readFileSync(LOG, "utf8").split("\n")) {
    const m = line.match(/^(\d+\.\d+) Notify "(.*?)" \d+ ".*?" "(.*?)" "(.*?)" \[/);
    if (!m) continue;
    const time = Math.round(Number(m[1]) * 1000);
    if (time >= since) out.push({ time, app: m[2], summary: m[3], body: m[4] });
  }
  return out;
}
