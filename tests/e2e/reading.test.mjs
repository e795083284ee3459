// Reading mail: a plain-text and an HTML message (appended by another client) open in the
// reader, and opening one marks it read in the list and, shortly after, on the server.

import assert from "node:assert/strict";
import { after, before, describe, test as nodeTest } from "node:test";
import { App, screenshotOnFailure } from "./lib/app.mjs";
import { htmlMessage, textMessage } from "./lib/mail.mjs";
import { Testbed } from "./lib/testbed.mjs";
import { scratchDir, subdir, waitFor } from "./lib/util.mjs";

const PLAIN = {
  subject: "Plain e2e: the quarterly figures",
  text: "Hello Alice,\n\nthe figures are attached in spirit: revenue 4711, costs 815.\n\nBob",
};
const HTML = {
  subject: "HTML e2e: newsletter with a link",
  text: "Read the docs at https://docs.example.com/tern (text part)",
  html: [
    "<!DOCTYPE html><html><body>",
    "<h1>Tern newsletter</h1>",
    "<p>Our <b>HTML part</b> says hello.</p>",
    '<p>Read <a href="https://docs.example.com/tern">the documentation</a> today.</p>',
    "</body></html>",
  ].join("\n"),
};

let dir, tb, app;
const uids = {};
const test = screenshotOnFailure(nodeTest, () => app);

describe("reading: plain and HTML mail, marked read locally and on the server", () => {
  before(async () => {
    dir = scratchDir("reading");
    tb = await Testbed.start(dir, ["alice"]);
    uids.plain = await tb.append("alice", "INBOX", textMessage(PLAIN));
    uids.html = await tb.append("alice", "INBOX", htmlMessage(HTML));
    const profile = subdir(dir, "profile");
    await tb.addAccountWithCli(profile, "alice", "Alice Example");
    app = await App.start({ profile, dir });
    await app.shown("folder-tree", 20_000);
    await app.openFolder("Inbox");
  });

  after(async () => {
    await app?.stop();
    await tb?.stop();
  });

  /** Waits until the server has \Seen on the message (the app replays flag changes). */
  async function seenOnServer(uid) {
    return waitFor(async () => (await tb.flags("alice", "INBOX", uid)).includes("\\Seen"), {
      timeout: 10_000,
      interval: 250,
      what: `\\Seen on UID ${uid} on the server`,
    });
  }

  /** Opens a message by its subject; checks the row is read afterwards and returns its id. */
  async function open(subject) {
    const row = await app.row(subject);
    assert.equal(row.unread, "true", `"${subject}" should start unread`);
    await app.rowElement(row.id).click();
    await waitFor(async () => (await app.$("reader-subject").isExisting()) && (await app.$("reader-subject").getText()) === subject, {
      what: `the reader to show "${subject}"`,
    });
    await waitFor(async () => (await app.rowElement(row.id).getAttribute("data-unread")) === "false", {
      what: `row ${row.id} to be marked read`,
    });
    return row.id;
  }

  test("both messages arrive unread, and unread on the server", async () => {
    await app.row(PLAIN.subject);
    await app.row(HTML.subject);
    assert.ok(!(await tb.flags("alice", "INBOX", uids.plain)).includes("\\Seen"));
    assert.ok(!(await tb.flags("alice", "INBOX", uids.html)).includes("\\Seen"));
  });

  test("a plain-text message opens as text and becomes read, locally and on the server", async () => {
    await open(PLAIN.subject);
    assert.match(await app.$("reader-from").getText(), /Bob Example/);
    const body = await app.shown("reader-body-text");
    const text = await body.getText();
    assert.match(text, /revenue 4711, costs 815/);
    assert.match(text, /Hello Alice/);
    assert.equal(await app.$("reader-body-html").isExisting(), false);
    await seenOnServer(uids.plain);
  });

  test("an HTML message opens in the sandboxed frame and becomes read, locally and on the server", async () => {
    await open(HTML.subject);
    const frame = await app.shown("reader-body-html");
    assert.equal(await app.$("reader-body-text").isExisting(), false);
    assert.equal(await frame.getAttribute("sandbox"), "allow-popups");
    await app.browser.switchFrame(frame);
    try {
      const body = await app.browser.$("body");
      await waitFor(async () => /Tern newsletter/.test(await body.getText()), { what: "the HTML body in the frame" });
      const text = await body.getText();
      assert.match(text, /HTML part says hello/);
      assert.doesNotMatch(text, /\(text part\)/, "the HTML part is shown, not the text part");
      // The page holds only an opaque reference; the target stays with the app (lib/links.ts).
      const link = await app.browser.$("a=the documentation");
      assert.match(await link.getAttribute("href"), /^https:\/\/link\.tern\.invalid\/\d+\/0$/);
    } finally {
      await app.browser.switchFrame(null);
    }
    await seenOnServer(uids.html);
  });
});
