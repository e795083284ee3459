// The app under test: a tauri-driver per test file (which starts WebKitWebDriver, which starts
// target/debug/tern-app with TERN_DATA_DIR set to the test's profile) and a WebdriverIO
// session on it, plus helpers for what WebDriver cannot see (the native window title).

import { spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { Key, remote } from "webdriverio";
import { APP_BIN, X11_PY, freePort, run, sleep, waitFor } from "./util.mjs";

export { Key };

const DRIVER = process.env.TAURI_DRIVER || join(process.env.HOME || "", ".cargo/bin/tauri-driver");

/** Every driver process group this process started, killed on exit whatever happens. */
const groups = new Set();
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.once(sig, () => process.exit(130));
process.on("exit", () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

function portOpen(port) {
  return new Promise((res) => {
    const s = connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      res(true);
    });
    s.on("error", () => res(false));
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class App {
  /**
   * Starts the app on `profile` (TERN_DATA_DIR) and opens a WebDriver session. `dir` receives
   * the driver's (and the app's) output as `driver.log`, and screenshots.
   */
  static async start({ profile, dir, env = {} }) {
    const app = new App(dir);
    const port = await freePort();
    const nativePort = await freePort();
    app.logFile = join(dir, "driver.log");
    const log = openSync(app.logFile, "a");
    // A process group of its own (detached), so stopping it also stops WebKitWebDriver and
    // the app, which it starts.
    app.driver = spawn(DRIVER, ["--port", String(port), "--native-port", String(nativePort)], {
      env: { ...process.env, RUST_LOG: "info", ...env, TERN_DATA_DIR: profile },
      detached: true,
      stdio: ["ignore", log, log],
    });
    groups.add(app.driver.pid);
    try {
      await waitFor(() => portOpen(port), { timeout: 10_000, what: `tauri-driver on port ${port}` });
      app.browser = await remote({
        hostname: "127.0.0.1",
        port,
        logLevel: "error",
        connectionRetryCount: 0,
        connectionRetryTimeout: 30_000,
        waitforTimeout: 15_000,
        capabilities: {
          "wdio:enforceWebDriverClassic": true,
          "tauri:options": { application: APP_BIN },
        },
      });
    } catch (e) {
      await app.stop();
      e.message += `\n--- driver.log ---\n${app.log().slice(-4000)}`;
      throw e;
    }
    return app;
  }

  constructor(dir) {
    this.dir = dir;
    this.shots = 0;
  }

  log() {
    try {
      return readFileSync(this.logFile, "utf8");
    } catch {
      return "";
    }
  }

  /** Ends the session (which closes the app), then stops the driver's whole process group. */
  async stop() {
    if (this.browser) {
      const b = this.browser;
      this.browser = null;
      await Promise.race([b.deleteSession().catch(() => {}), sleep(5_000)]);
    }
    const pid = this.driver?.pid;
    if (!pid) return;
    for (const sig of ["SIGTERM", "SIGKILL"]) {
      try {
        process.kill(-pid, sig);
      } catch {
        break;
      }
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline && alive(-pid)) await sleep(50);
      if (!alive(-pid)) break;
    }
    groups.delete(pid);
  }

  /** A screenshot of the whole X screen (ImageMagick), for failures. Never throws. */
  async screenshot(name) {
    const file = join(this.dir, `${String(++this.shots).padStart(2, "0")}-${name.replace(/\W+/g, "_")}.png`);
    try {
      await run("import", ["-window", "root", file], { timeout: 10_000 });
      return file;
    } catch {
      return null;
    }
  }

  // ---- WebDriver helpers ----

  $(testid) {
    return this.browser.$(`[data-testid="${testid}"]`);
  }

  $$(testid) {
    return this.browser.$$(`[data-testid="${testid}"]`);
  }

  async shown(testid, timeout = 15_000) {
    const el = this.$(testid);
    await el.waitForDisplayed({ timeout, timeoutMsg: `[data-testid="${testid}"] not shown after ${timeout} ms` });
    return el;
  }

  /** Runs `fn` inside the open message's sandboxed frame, then returns to the page. */
  async inFrame(fn) {
    await this.browser.switchFrame(await this.shown("reader-body-html"));
    try {
      return await fn();
    } finally {
      await this.browser.switchFrame(null);
    }
  }

  /**
   * Replaces a text field's content by typing, as a user would: select all, delete, type. (The
   * WebDriver "clear" command fires no input event, so the Svelte form would not see it.)
   */
  async type(testid, text) {
    const el = await this.shown(testid);
    await el.click();
    await this.browser.keys([Key.Ctrl, "a"]);
    await this.browser.keys([Key.Backspace]);
    if (text) await el.addValue(text);
    const value = await el.getValue();
    if (value !== text) throw new Error(`[data-testid="${testid}"] holds ${JSON.stringify(value)}, not ${JSON.stringify(text)}`);
  }

  /** The text of the first element matching a CSS selector, whitespace collapsed ("" if none). */
  async text(selector) {
    return this.browser.execute(
      (sel) => (document.querySelector(sel)?.textContent ?? "").replace(/\s+/g, " ").trim(),
      selector,
    );
  }

  /** The message rows in the DOM now (the list is virtual: only those near the viewport). */
  async rows() {
    return this.browser.execute(() =>
      [...document.querySelectorAll('[data-testid="message-row"]')].map((r) => ({
        id: r.getAttribute("data-id"),
        unread: r.getAttribute("data-unread"),
        text: r.textContent.replace(/\s+/g, " ").trim(),
      })),
    );
  }

  /** Waits for the row whose text contains `subject`; resolves with {id, unread, text}. */
  async row(subject, timeout = 15_000) {
    return waitFor(async () => (await this.rows()).find((r) => r.text.includes(subject)), {
      timeout,
      what: `a message row with "${subject}"`,
    });
  }

  rowElement(id) {
    return this.browser.$(`[data-testid="message-row"][data-id="${id}"]`);
  }

  /** The folders in the tree: [{id, name}] from the folder-<id> rows. */
  async folders() {
    return this.browser.execute(() =>
      [...document.querySelectorAll('[data-testid^="folder-"]')]
        .filter((el) => /^folder-\d+$/.test(el.getAttribute("data-testid")))
        .map((el) => ({
          id: el.getAttribute("data-testid").slice("folder-".length),
          name: (el.querySelector(".name")?.textContent ?? el.textContent).trim(),
        })),
    );
  }

  /** Clicks a folder in the tree by its shown name; resolves with its id. */
  async openFolder(name) {
    const f = await waitFor(async () => (await this.folders()).find((x) => x.name === name), {
      what: `folder "${name}" in the tree`,
    });
    await this.browser.$(`[data-testid="folder-${f.id}"] button`).click();
    return f.id;
  }

  /**
   * The app's native toplevel window on the X server: {id, title}, or null. The title is what
   * the shell sets with set_title (WebDriver's getTitle only sees document.title): the window
   * of class "tern-app" that has a _NET_WM_NAME.
   */
  async window() {
    const tree = await run("xwininfo", ["-root", "-tree"]);
    const ids = [...tree.matchAll(/^\s*(0x[0-9a-f]+) .*\("tern-app" /gim)].map((m) => m[1]);
    for (const id of ids) {
      const out = await run("xprop", ["-id", id, "_NET_WM_NAME"]).catch(() => "");
      const m = out.match(/_NET_WM_NAME\(UTF8_STRING\) = "(.*)"/);
      if (m) return { id: Number(id), title: m[1] };
    }
    return null;
  }

  async windowTitle() {
    return (await this.window())?.title ?? null;
  }

  /** The X window that has the input focus now (what GTK's is-active follows). */
  async focusedXWindow() {
    return Number((await run("/usr/bin/python3", [X11_PY])).trim());
  }
}

/**
 * node:test's `test`, with a screenshot of the screen saved next to the driver log when the
 * test fails (its path is appended to the error).
 */
export function screenshotOnFailure(test, getApp) {
  return (name, fn) =>
    test(name, async (t) => {
      try {
        await fn(t);
      } catch (e) {
        const file = await getApp()?.screenshot(name);
        if (file && e instanceof Error) e.message += `\n(screenshot: ${file})`;
        throw e;
      }
    });
}
