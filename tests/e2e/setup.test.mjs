// First run: the account form, a rejected password, then a working account whose folders and
// mail show up, and whose password lives only in the keyring, never in the profile.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test as nodeTest } from "node:test";
import { App, screenshotOnFailure } from "./lib/app.mjs";
import { Testbed } from "./lib/testbed.mjs";
import { ROOT, run, scratchDir, subdir, waitFor } from "./lib/util.mjs";

const PASSWORD = "alice-pw";
const WRONG = "not-alices-pw-7f3a";

let dir, tb, app, profile;
const test = screenshotOnFailure(nodeTest, () => app);

describe("setup: first run, account form, password only in the keyring", () => {
  before(async () => {
    dir = scratchDir("setup");
    tb = await Testbed.start(dir, ["alice"]);
    await tb.seed("alice", "INBOX", 200);
    profile = subdir(dir, "profile");
    app = await App.start({ profile, dir });
  });

  after(async () => {
    await app?.stop();
    await tb?.stop();
  });

  /** Every file below `d`, recursively. */
  function files(d) {
    return readdirSync(d).flatMap((name) => {
      const p = join(d, name);
      return statSync(p).isDirectory() ? files(p) : [p];
    });
  }

  test("a fresh profile shows the account form", async () => {
    await app.shown("setup-form");
    // Nothing else yet: no folder tree on first run.
    assert.equal(await app.$("folder-tree").isExisting(), false);
  });

  test("a wrong password is refused with a sentence saying so", async () => {
    await app.type("setup-email", "alice@example.org");
    await app.type("setup-name", "Alice Example");
    await app.type("setup-password", WRONG);
    await app.type("setup-imap-host", "127.0.0.1");
    // Port before security: a typed port can switch the security when it passes a well-known
    // port (1, 14, 143...), and choosing the security keeps a custom port.
    await app.type("setup-imap-port", String(tb.imapsPort));
    await (await app.shown("setup-imap-security")).selectByAttribute("value", "tls");
    // No SMTP server: the test machine must not try smtp.example.org.
    await app.type("setup-smtp-host", "");
    await (await app.shown("setup-advanced")).click();
    await app.type("setup-username", "alice");
    await app.type("setup-ca-file", tb.caFile);
    assert.equal(await app.$("setup-imap-port").getValue(), String(tb.imapsPort));
    assert.equal(await app.$("setup-imap-security").getValue(), "tls");

    await app.$("setup-submit").click();
    const error = await app.shown("setup-error");
    await waitFor(async () => (await error.getText()).trim(), { what: "the error text" });
    const text = await error.getText();
    assert.match(text, /password/i, `setup-error: ${text}`);
    assert.match(text, /reject/i, `setup-error: ${text}`);
    // Still on the form, and nothing was saved.
    assert.equal(await app.$("setup-form").isDisplayed(), true);
  });

  test("the right password adds the account: folders and the seeded inbox show", async () => {
    await app.type("setup-password", PASSWORD);
    await app.$("setup-submit").click();
    await app.shown("folder-tree", 20_000);

    const names = await waitFor(
      async () => {
        const n = (await app.folders()).map((f) => f.name).sort();
        return n.length >= 6 ? n : null;
      },
      { timeout: 15_000, what: "six folders in the tree" },
    );
    assert.deepEqual(names, ["Archive", "Drafts", "Inbox", "Junk", "Sent", "Trash"]);

    await app.openFolder("Inbox");
    await app.shown("message-row", 20_000);
    const rows = await app.rows();
    assert.ok(rows.length >= 5, `only ${rows.length} rows rendered`);
    assert.ok(rows.every((r) => r.id && (r.unread === "true" || r.unread === "false")));
    // The folder header counts the whole folder (the list itself is virtual).
    await waitFor(async () => /\b200 messages\b/.test(await app.text('[data-pane="list"] header')), {
      timeout: 20_000,
      what: 'the Inbox header to say "200 messages"',
    });
  });

  test("the password is in the keyring and nowhere in the profile", async () => {
    // The keyring (gnome-keyring on the private session bus) holds it...
    const items = JSON.parse(await run("/usr/bin/python3", [join(ROOT, "tests/e2e/lib/secrets.py")]));
    assert.ok(
      items.some((i) => i.secret === PASSWORD),
      `no keyring item holds the password; items: ${JSON.stringify(items.map((i) => i.attributes))}`,
    );
    assert.ok(!items.some((i) => i.secret === WRONG), "the rejected password was stored in the keyring");

    // ...and no file of the profile does, in any form we would recognise.
    const all = files(profile);
    assert.ok(all.some((f) => f.endsWith(".sqlite3")), `no cache database in ${profile}: ${all}`);
    for (const secret of [PASSWORD, WRONG]) {
      const needles = [
        Buffer.from(secret, "utf8"),
        Buffer.from(secret, "utf16le"),
        Buffer.from(Buffer.from(secret).toString("base64").replace(/=+$/, "")),
      ];
      for (const f of all) {
        const bytes = readFileSync(f);
        for (const n of needles) assert.equal(bytes.indexOf(n), -1, `${f} contains the password (${secret})`);
      }
    }
  });
});
