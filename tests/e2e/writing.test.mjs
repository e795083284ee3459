// Writing mail in the real app, over the testbed's Postfix: c opens the compose pane, a message
// with formatting and an attachment goes to bob and to Sent; undo send takes one back before it
// goes; r replies with the threading headers; a draft is autosaved to Drafts and replaced, not
// piled up; and mail alice sends herself raises the new-mail notification in the same run.

import assert from "node:assert/strict";
import { after, before, describe, test as nodeTest } from "node:test";
import { Key } from "webdriverio";
import { App, screenshotOnFailure } from "./lib/app.mjs";
import { textMessage } from "./lib/mail.mjs";
import { notifications } from "./lib/notifications.mjs";
import { Testbed } from "./lib/testbed.mjs";
import { scratchDir, subdir, waitFor } from "./lib/util.mjs";

let dir, tb, app;
const test = screenshotOnFailure(nodeTest, () => app);

async function arrived(user, folder, subject, timeout = 20_000) {
  await waitFor(async () => (await tb.subjects(user, folder)).some((s) => s.includes(subject)), {
    timeout,
    interval: 300,
    what: `"${subject}" in ${user}'s ${folder}`,
  });
}

/** Sets the undo-send delay through the writing settings. */
async function setDelay(seconds) {
  await (await app.shown("compose-settings")).click();
  await app.shown("writing-settings");
  await app.browser.$('[data-testid="send-delay"]').selectByAttribute("value", String(seconds));
  await (await app.shown("writing-save")).click();
}

/** Fills the compose pane: To, subject, and body typed into the editor. */
async function fill({ to, subject, body }) {
  if (to !== undefined) await app.type("compose-to", to);
  if (subject !== undefined) await app.type("compose-subject", subject);
  if (body !== undefined) {
    await (await app.shown("compose-body")).click();
    await app.browser.keys([...body]);
  }
}

describe("writing: compose, send, undo send, reply, drafts", () => {
  before(async () => {
    dir = scratchDir("writing");
    tb = await Testbed.start(dir, ["alice", "bob"]);
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

  test("c writes a formatted message with an attachment; bob gets it and Sent keeps a copy", async () => {
    await app.$("message-list").click();
    await app.browser.keys(["c"]);
    await app.shown("compose");
    await setDelay(0);
    await fill({ to: "bob@example.org", subject: "Writing e2e: Grüße from Alice ✓", body: "Hello Bob, " });
    await app.browser.keys([Key.Ctrl, "b"]);
    await app.browser.keys([..."this is bold"]);
    await app.browser.keys([Key.Ctrl]);
    // A file dropped on the pane becomes an attachment (HTML5 drop with a File, as the webview
    // delivers it).
    await app.browser.execute(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(["col1,col2\n1,2\n"], "numbers.csv", { type: "text/csv" }));
      const el = document.querySelector('[data-testid="compose"]');
      for (const type of ["dragenter", "dragover", "drop"]) {
        el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
      }
    });
    await waitFor(async () => (await app.text('[data-testid="compose-attachments"]')).includes("numbers.csv"), {
      what: "the dropped file listed as an attachment",
    });
    await app.browser.keys([Key.Ctrl, Key.Enter]);
    await waitFor(async () => !(await app.$("compose").isExisting()), { what: "the compose pane to close" });
    await arrived("bob", "INBOX", "Writing e2e: Grüße from Alice ✓");
    await arrived("alice", "Sent", "Writing e2e: Grüße from Alice ✓");
  });

  test("undo send takes the message back before it goes", async () => {
    await app.browser.keys(["c"]);
    await app.shown("compose");
    await setDelay(5);
    await fill({ to: "bob@example.org", subject: "Writing e2e: never mind", body: "Sent by mistake." });
    await (await app.shown("compose-send")).click();
    await (await app.shown("undo-send-button")).click();
    await app.shown("compose");
    assert.equal(await app.$("compose-subject").getValue(), "Writing e2e: never mind");
    await (await app.shown("compose-discard")).click();
    await new Promise((r) => setTimeout(r, 7000));
    assert.ok(!(await tb.subjects("bob", "INBOX")).some((s) => s.includes("never mind")), "nothing reached bob");
  });

  test("a draft is autosaved to Drafts, and editing replaces it", async () => {
    await app.browser.keys(["c"]);
    await app.shown("compose");
    await fill({ to: "bob@example.org", subject: "Writing e2e: draft one", body: "First words." });
    await arrived("alice", "Drafts", "Writing e2e: draft one");
    await app.type("compose-subject", "Writing e2e: draft two");
    await arrived("alice", "Drafts", "Writing e2e: draft two");
    await waitFor(async () => (await tb.subjects("alice", "Drafts")).filter((s) => s.startsWith("Writing e2e: draft")).length === 1, {
      what: "exactly one copy of the draft in Drafts",
    });
    // Closed, it stays a draft; opened from the Drafts folder, it is written on again.
    await (await app.shown("compose-close")).click();
    await app.openFolder("Drafts");
    const row = await app.row("Writing e2e: draft two", 20_000);
    await app.rowElement(row.id).click();
    await app.shown("compose");
    await waitFor(async () => (await app.$("compose-subject").getValue()) === "Writing e2e: draft two", {
      what: "the draft reopened in the compose pane",
    });
    assert.match(await app.text('[data-testid="compose-body"]'), /First words\./);
    await (await app.shown("compose-discard")).click();
    await app.openFolder("Inbox");
    await waitFor(async () => !(await tb.subjects("alice", "Drafts")).some((s) => s.startsWith("Writing e2e: draft")), {
      what: "the discarded draft gone from Drafts",
    });
  });

  test("r replies with Re: and threading; mail to oneself raises the notification", async () => {
    await tb.append("alice", "INBOX", textMessage({ from: "Bob Example <bob@example.org>", subject: "Writing e2e: lunch?", text: "Lunch at noon?" }));
    const row = await app.row("Writing e2e: lunch?");
    await app.rowElement(row.id).click();
    await app.shown("reader-subject");
    await app.browser.keys(["r"]);
    await app.shown("compose");
    assert.equal(await app.$("compose-subject").getValue(), "Re: Writing e2e: lunch?");
    assert.match(await app.$("compose-to").getValue(), /bob@example\.org/);
    await setDelay(0);
    await fill({ body: "Yes, noon works." });
    await (await app.shown("compose-send")).click();
    await arrived("bob", "INBOX", "Re: Writing e2e: lunch?");

    // Alice writes to herself while looking at another folder: the notification comes.
    await app.openFolder("Archive");
    const since = Date.now();
    await app.browser.keys(["c"]);
    await app.shown("compose");
    await fill({ to: "alice@example.org", subject: "Writing e2e: note to self", body: "Remember the milk." });
    await app.browser.keys([Key.Ctrl, Key.Enter]);
    await waitFor(() => notifications(since).some((n) => n.body.includes("Writing e2e: note to self")), {
      timeout: 20_000,
      what: "a notification for the note to self",
    });
  });
});
