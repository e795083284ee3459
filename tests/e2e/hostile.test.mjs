// The hostile-mail corpus (tests/hostile/*.eml) in the real app: every message opened from the
// testbed with remote content blocked makes no request to the loopback server its URLs point
// at, and no script runs (every payload would fetch /xss/<n> and write XSS-<n> into the title);
// allowing remote content for one message makes its image arrive (so the counter works); links
// refuse javascript: and file:, ask before a link whose text shows another host, open honest
// web links in the system browser and mailto: in Tern's compose without its extra fields.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test as nodeTest } from "node:test";
import { App, screenshotOnFailure } from "./lib/app.mjs";
import { countingServer } from "./lib/http.mjs";
import { Testbed } from "./lib/testbed.mjs";
import { ROOT, scratchDir, sleep, subdir, waitFor } from "./lib/util.mjs";

const CORPUS = join(ROOT, "tests/hostile");
const PLACEHOLDER = "hostile.invalid";

let dir, tb, app, http, browserLog;
const test = screenshotOnFailure(nodeTest, () => app);
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".eml"))
  .sort();

/** Points the corpus's remote URLs at the counter (https too: it only speaks http). */
function localize(text, host) {
  return text.replaceAll(`https://${PLACEHOLDER}`, `http://${host}`).replaceAll(PLACEHOLDER, host);
}

/**
 * A corpus message with its placeholder host replaced, inside base64 parts as well (decoded,
 * replaced, encoded again), so the server sees exactly the message the corpus holds.
 */
function localizeMessage(raw, host) {
  const out = [];
  let b64Pending = false;
  let inHeaders = true;
  let block = [];
  const flush = () => {
    if (!block.length) return;
    const decoded = Buffer.from(block.join(""), "base64").toString("latin1");
    const encoded = Buffer.from(localize(decoded, host), "latin1").toString("base64");
    for (let i = 0; i < encoded.length; i += 76) out.push(encoded.slice(i, i + 76));
    block = [];
  };
  for (const line of raw.split(/\r?\n/)) {
    if (inHeaders) {
      if (/^content-transfer-encoding:\s*base64\s*$/i.test(line)) b64Pending = true;
      if (line === "") inHeaders = false;
      out.push(localize(line, host));
      continue;
    }
    if (b64Pending && /^[A-Za-z0-9+/=]+$/.test(line)) {
      block.push(line);
      continue;
    }
    if (block.length) {
      flush();
      b64Pending = false;
    }
    // A part's headers start after a boundary line; look for its encoding again.
    if (line.startsWith("--")) inHeaders = true;
    out.push(localize(line, host));
  }
  flush();
  return out.join("\r\n");
}

/** A stand-in system browser: a desktop entry for http(s) that logs each URL it is given. */
function fakeBrowser(root) {
  const log = join(root, "browser.log");
  const script = join(root, "browser.sh");
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\n`, { mode: 0o755 });
  mkdirSync(join(root, "config"), { recursive: true });
  mkdirSync(join(root, "data/applications"), { recursive: true });
  writeFileSync(
    join(root, "config/mimeapps.list"),
    "[Default Applications]\nx-scheme-handler/http=tern-e2e-browser.desktop\nx-scheme-handler/https=tern-e2e-browser.desktop\n",
  );
  writeFileSync(
    join(root, "data/applications/tern-e2e-browser.desktop"),
    `[Desktop Entry]\nType=Application\nName=Tern e2e browser\nExec=${script} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\n`,
  );
  writeFileSync(log, "");
  return {
    env: { XDG_CONFIG_HOME: join(root, "config"), XDG_DATA_HOME: join(root, "data") },
    urls: () => readFileSync(log, "utf8").split("\n").filter(Boolean),
  };
}

describe("hostile: the corpus is harmless in the app", () => {
  before(async () => {
    dir = scratchDir("hostile");
    http = await countingServer();
    const host = `127.0.0.1:${http.port}`;
    const seeded = subdir(dir, "corpus");
    const paths = files.map((f) => {
      const p = join(seeded, f);
      writeFileSync(p, localizeMessage(readFileSync(join(CORPUS, f), "latin1"), host), "latin1");
      return p;
    });
    tb = await Testbed.start(dir, ["alice"]);
    const uids = await tb.appendFiles("alice", "INBOX", paths);
    assert.equal(uids.length, files.length, "every corpus message was appended");
    const profile = subdir(dir, "profile");
    await tb.addAccountWithCli(profile);
    browserLog = fakeBrowser(subdir(dir, "browser"));
    app = await App.start({ profile, dir, env: browserLog.env });
    await app.shown("folder-tree", 20_000);
    await app.openFolder("Inbox");
  });

  after(async () => {
    await app?.stop();
    await tb?.stop();
    await http?.close();
  });

  async function readerSubject() {
    return (await app.$("reader-subject").isExisting()) ? await app.$("reader-subject").getText() : "";
  }

  /** The number of the corpus message in the reader ("Hostile NN: …"), or null. */
  async function openedNumber() {
    const m = /^Hostile (\d+):/.exec(await readerSubject());
    return m ? Number(m[1]) : null;
  }

  /**
   * Opens the corpus message numbered `n` with the keyboard, from the one open now: the list is
   * newest first and the corpus's dates follow its numbers, so `j` goes from n to n-1.
   */
  async function openNumber(n) {
    const tag = `Hostile ${String(n).padStart(2, "0")}:`;
    const at = await openedNumber();
    if (at === n) return;
    assert.ok(at !== null, `no corpus message open (reader shows "${await readerSubject()}")`);
    // Focus the app's own document (a click in a frame leaves the keyboard there).
    await app.$("reader-subject").click();
    const key = at > n ? "j" : "k";
    for (let i = 0; i < Math.abs(at - n); i++) await app.browser.keys(key);
    await app.browser.keys("o");
    await waitFor(async () => (await readerSubject()).startsWith(tag), { what: `the reader to show "${tag}"` });
  }

  test("every message opens with remote content blocked: no request, no script", async () => {
    const first = await app.row(`Hostile ${String(files.length).padStart(2, "0")}:`, 30_000);
    await app.rowElement(first.id).click();
    const seen = new Set();
    let html = 0;
    for (let i = 0; i < files.length; i++) {
      if (i > 0) {
        // Back to the app's own document: WebDriver's visit to the frame leaves the focus there.
        await app.$("reader-subject").click();
        await app.browser.keys("j");
        await app.browser.keys("o");
      }
      const subject = await waitFor(
        async () => {
          const s = await readerSubject();
          return s && !seen.has(s) ? s : null;
        },
        { what: `message ${i + 1} of ${files.length} in the reader` },
      );
      seen.add(subject);
      if (await app.$("reader-body-html").isExisting()) {
        html += 1;
        const inside = await app.inFrame(() =>
          app.browser.execute(() => ({
            title: document.title,
            scripts: document.querySelectorAll("script, iframe, object, embed, form, svg, math, meta[http-equiv=refresh], base, link").length,
          })),
        );
        assert.doesNotMatch(inside.title, /XSS/, `a script ran in "${subject}"`);
        assert.equal(inside.scripts, 0, `active elements left in "${subject}"`);
      }
      assert.doesNotMatch(await app.browser.getTitle(), /XSS/, `a script ran in the app for "${subject}"`);
      await sleep(250);
      assert.deepEqual(http.paths(), [], `requests after opening "${subject}"`);
    }
    assert.equal(seen.size, files.length, "every corpus message was opened");
    assert.ok(html >= 35, `only ${html} messages showed HTML`);
    // Stragglers (a lazy image, a refresh timer) would arrive within this.
    await sleep(2_000);
    assert.deepEqual(http.paths(), [], "remote content was requested while blocked");
  });

  test("a subject carrying script is shown as text", async () => {
    await openNumber(37);
    assert.match(await readerSubject(), /<script>document\.title='XSS-37'/);
    assert.doesNotMatch(await app.browser.getTitle(), /XSS/);
  });

  test("allowing remote content for one message fetches its image (the counter works)", async () => {
    await openNumber(45);
    await app.shown("remote-bar");
    await app.$("remote-load-once").click();
    await waitFor(() => http.paths().includes("/px/45/allowed.gif"), { timeout: 10_000, what: "the allowed image's request" });
    await sleep(1_000);
    assert.deepEqual(http.paths(), ["/px/45/allowed.gif"], "only the allowed image was fetched");
  });

  /** Clicks the link with this text in the open message's frame. */
  async function clickLink(text) {
    await app.inFrame(async () => {
      const a = await app.browser.$(`a=${text}`);
      await a.waitForExist({ timeout: 5_000 });
      await a.click();
    });
  }

  async function noticeSays(re) {
    const text = await waitFor(
      async () => ((await app.$("notice").isExisting()) ? await app.$("notice").getText() : null),
      { what: "a notice about the refused link" },
    );
    assert.match(text, re);
    await app.browser.$('[data-testid="notice"] button').click();
  }

  test("javascript: and file: links are refused with a message", async () => {
    await openNumber(3);
    await clickLink("plain");
    await noticeSays(/“javascript:” links/);
    await openNumber(25);
    await clickLink("file");
    await noticeSays(/“file:” links/);
    await clickLink("smb");
    await noticeSays(/“smb:” links/);
    assert.deepEqual(browserLog.urls(), [], "a refused link reached the browser");
  });

  test("a link whose text shows another host shows the real target first", async () => {
    await openNumber(26);
    await clickLink("https://bank.example/login");
    const dialog = await app.shown("confirm");
    assert.match(await dialog.getText(), /bank\.example\.attacker\.example\/login/);
    await app.$("confirm-no").click();
    await sleep(500);
    assert.deepEqual(browserLog.urls(), [], "the link opened although the user cancelled");
    // Confirming opens it in the system browser.
    await clickLink("https://bank.example/login");
    await app.shown("confirm");
    await app.$("confirm-yes").click();
    await waitFor(() => browserLog.urls().includes("https://bank.example.attacker.example/login"), {
      what: "the confirmed link in the browser",
    });
  });

  test("an honest web link opens at once in the system browser", async () => {
    await openNumber(26);
    await clickLink("bank.example/ok");
    await waitFor(() => browserLog.urls().includes("https://bank.example/ok"), { what: "the link in the browser" });
    assert.equal(await app.$("confirm").isExisting(), false);
  });

  test("a mailto: link opens compose with recipients, subject and body only", async () => {
    await openNumber(27);
    await clickLink("attach");
    await app.shown("compose");
    await waitFor(async () => (await app.$("compose-subject").getValue()) === "Hello", { what: "the subject from the link" });
    const to = await app.browser.execute(() => document.querySelector('[data-testid="compose-to"]')?.value ?? "");
    assert.match(to, /bob@example\.net/);
    assert.match(await app.$("compose-body").getText(), /Hi Bob/);
    assert.equal(await app.$("compose-attachments").isExisting(), false, "the link attached a file");
    await app.$("compose-discard").click();
  });
});
