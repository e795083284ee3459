// Shared bits of the end-to-end harness: paths, temp dirs, polling, child processes.

import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
// TERN_E2E_APP / TERN_E2E_CLI test other builds (for example a patched copy).
export const APP_BIN = resolve(process.env.TERN_E2E_APP || join(ROOT, "target/debug/tern-app"));
export const CLI_BIN = resolve(process.env.TERN_E2E_CLI || join(ROOT, "target/debug/tern"));
export const TESTBED = join(ROOT, "tests/testbed/testbed");
export const IMAP_PY = join(ROOT, "tests/e2e/lib/imap.py");
export const X11_PY = join(ROOT, "tests/e2e/lib/x11.py");

let base = null;
/** The run's temp dir (run.sh makes one; 0755 so Dovecot can reach testbeds below it). */
function baseDir() {
  if (!base) {
    base = process.env.TERN_E2E_TMP || mkdtempSync(join(tmpdir(), "tern-e2e-"));
    chmodSync(base, 0o755);
  }
  return base;
}

/** A fresh directory for one test file: `<run tmp>/<name>-XXXX`, searchable by Dovecot. */
export function scratchDir(name) {
  const dir = mkdtempSync(join(baseDir(), `${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export function subdir(parent, name) {
  const d = join(parent, name);
  mkdirSync(d, { recursive: true });
  return d;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `fn` until it returns a truthy value (which is returned) or `timeout` ms pass, then
 * throws with `what` and the last value or error seen.
 */
export async function waitFor(fn, { timeout = 10_000, interval = 100, what = "condition" } = {}) {
  const start = Date.now();
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - start > timeout) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(interval);
  }
}

/** Runs a program to completion; resolves with stdout, rejects with stderr on failure. */
export function run(file, args, { input, env, timeout = 60_000 } = {}) {
  return new Promise((res, rej) => {
    const child = execFile(
      file,
      args,
      { env: env ? { ...process.env, ...env } : process.env, timeout, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          err.message = `${file} ${args.join(" ")} failed: ${err.message}\n${stderr}`;
          rej(err);
        } else res(stdout);
      },
    );
    if (input !== undefined) child.stdin.end(input);
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}
