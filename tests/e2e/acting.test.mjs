// Acting on mail in the real app, checked on the server by a second IMAP client: e archives and
// z undoes it, # deletes to Trash and (after asking) for good from Trash, ! marks junk, ctrl-click
// picks several and v moves them through the folder picker, a drag onto a folder moves, and
// folders are created, renamed and deleted from the tree.

import assert from "node:assert/strict";
import { after, before, describe, test as nodeTest } from "node:test";
import { Key } from "webdriverio";
import { App, screenshotOnFailure } from "./lib/app.mjs";
import { textMessage } from "./lib/mail.mjs";
import { Testbed } from "./lib/testbed.mjs";
import { scratchDir, subdir, waitFor } from "./lib/util.mjs";

const SUBJECTS = [1, 2, 3, 4, 5, 6].map((i) => `Act e2e ${i}`);

let dir, tb, app;
const test = screenshotOnFailure(nodeTest, () => app);

/** Waits until the server's folder holds (or, with `present` false, lacks) the subject. */
async function onServer(folder, subject, present = true) {
  await waitFor(async () => (await tb.subjects("alice", folder)).includes(subject) === present, {
    timeout: 15_000,
    interval: 250,
    what: `"${subject}" ${present ? "in" : "not in"} ${folder} on the server`,
  });
}

async function listedSubjects() {
  return (await app.rows()).map((r) => r.text);
}

async function gone(subject) {
  await waitFor(async () => !(await listedSubjects()).some((t) => t.includes(subject)), {
    what: `"${subject}" to leave the list`,
  });
}

/**
 * Clicks a row by subject (opening it and putting the cursor there). With `ctrl`, the click
 * carries the Ctrl key: dispatched in the page, as WebKitWebDriver's key actions refuse
 * modifier keys held across a pointer click.
 */
async function clickRow(subject, { ctrl = false } = {}) {
  const row = await app.row(subject);
  if (!ctrl) {
    await app.rowElement(row.id).click();
    return row.id;
  }
  await app.browser.execute((id) => {
    const el = document.querySelector(`[data-testid="message-row"][data-id="${id}"]`);
    el.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, ctrlKey: true }));
  }, row.id);
  return row.id;
}

describe("acting on mail: archive, undo, delete, junk, move, drag and drop, folders", () => {
  before(async () => {
    dir = scratchDir("acting");
    tb = await Testbed.start(dir, ["alice"]);
    for (const subject of SUBJECTS) await tb.append("alice", "INBOX", textMessage({ subject, text: `Body of ${subject}.` }));
    const profile = subdir(dir, "profile");
    await tb.addAccountWithCli(profile, "alice", "Alice Example");
    app = await App.start({ profile, dir });
    await app.shown("folder-tree", 20_000);
    await app.openFolder("Inbox");
    await app.row(SUBJECTS[5]);
  });

  after(async () => {
    await app?.stop();
    await tb?.stop();
  });

  test("e archives the message at once, on the server too, and z undoes it", async () => {
    await clickRow(SUBJECTS[0]);
    await app.$("message-list").click();
    await app.browser.keys(["e"]);
    await gone(SUBJECTS[0]);
    await app.shown("undo-bar");
    assert.match(await app.text('[data-testid="undo-bar"]'), /Archived 1 message to Archive/);
    await onServer("Archive", SUBJECTS[0]);
    await onServer("INBOX", SUBJECTS[0], false);

    await app.browser.keys(["z"]);
    await app.row(SUBJECTS[0]);
    await onServer("INBOX", SUBJECTS[0]);
    await onServer("Archive", SUBJECTS[0], false);
  });

  test("# deletes to Trash; in Trash it asks, then deletes for good", async () => {
    await clickRow(SUBJECTS[1]);
    await app.browser.keys(["#"]);
    await gone(SUBJECTS[1]);
    await onServer("Trash", SUBJECTS[1]);

    await app.openFolder("Trash");
    await clickRow(SUBJECTS[1]);
    await app.browser.keys(["#"]);
    await app.shown("confirm");
    assert.match(await app.text('[data-testid="confirm"]'), /cannot be undone/);
    await (await app.shown("confirm-yes")).click();
    await onServer("Trash", SUBJECTS[1], false);
    assert.equal(await tb.count("alice", "Trash"), 0);
    await app.openFolder("Inbox");
  });

  test("! marks as junk", async () => {
    await clickRow(SUBJECTS[5]);
    await app.browser.keys(["!"]);
    await gone(SUBJECTS[5]);
    await onServer("Junk", SUBJECTS[5]);
  });

  test("a new folder from the tree, then ctrl-click picks two and v moves them there", async () => {
    await (await app.browser.$('[data-testid^="folder-new-"]')).click();
    await app.type("confirm-input", "Projects");
    await app.browser.keys([Key.Enter]);
    await waitFor(async () => (await tb.folderNames("alice")).includes("Projects"), { what: "Projects on the server" });
    await waitFor(async () => (await app.folders()).some((f) => f.name === "Projects"), { what: "Projects in the tree" });

    await clickRow(SUBJECTS[2]);
    await clickRow(SUBJECTS[3], { ctrl: true });
    assert.match(await app.text('[data-testid="picked-count"]'), /2 selected/);
    await app.browser.keys(["v"]);
    await app.shown("folder-picker");
    await app.browser.keys([..."proj"]);
    await app.browser.keys([Key.Enter]);
    await gone(SUBJECTS[2]);
    await gone(SUBJECTS[3]);
    assert.match(await app.text('[data-testid="undo-bar"]'), /Moved 2 messages to Projects/);
    await onServer("Projects", SUBJECTS[2]);
    await onServer("Projects", SUBJECTS[3]);
    await onServer("INBOX", SUBJECTS[2], false);
    // The open message moved with the others: the reader still shows it, not "removed".
    assert.equal(await app.text('[data-testid="reader-subject"]'), SUBJECTS[2]);
    assert.equal(await app.$("reader-gone").isExisting(), false);
  });

  test("dragging a message onto a folder moves it there", async () => {
    const row = await app.row(SUBJECTS[4]);
    const archive = (await app.folders()).find((f) => f.name === "Archive");
    // WebDriver's pointer actions do not drive HTML5 drag and drop in WebKitGTK: dispatch the
    // drag events the webview would, with one DataTransfer carried from the row to the folder.
    await app.browser.execute(
      (rowId, folderId) => {
        const row = document.querySelector(`[data-testid="message-row"][data-id="${rowId}"]`);
        const target = document.querySelector(`[data-testid="folder-${folderId}"]`);
        const dt = new DataTransfer();
        const fire = (el, type) => el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
        fire(row, "dragstart");
        fire(target, "dragenter");
        fire(target, "dragover");
        fire(target, "drop");
        fire(row, "dragend");
      },
      row.id,
      archive.id,
    );
    await gone(SUBJECTS[4]);
    await onServer("Archive", SUBJECTS[4]);
  });

  test("a folder is renamed, then deleted after a warning that it holds mail", async () => {
    const projects = (await app.folders()).find((f) => f.name === "Projects");
    await app.browser.$(`[data-testid="folder-${projects.id}"]`).moveTo();
    await (await app.shown(`folder-menu-${projects.id}`)).click();
    await (await app.shown("folder-rename")).click();
    await app.type("confirm-input", "Projects 2026");
    await app.browser.keys([Key.Enter]);
    await waitFor(async () => (await tb.folderNames("alice")).includes("Projects 2026"), { what: "the renamed folder on the server" });
    const renamed = await waitFor(async () => (await app.folders()).find((f) => f.name === "Projects 2026"), {
      what: "the renamed folder in the tree",
    });
    assert.deepEqual((await tb.subjects("alice", "Projects 2026")).sort(), [SUBJECTS[2], SUBJECTS[3]]);

    await app.browser.$(`[data-testid="folder-${renamed.id}"]`).moveTo();
    await (await app.shown(`folder-menu-${renamed.id}`)).click();
    await (await app.shown("folder-delete")).click();
    await app.shown("confirm");
    assert.match(await app.text('[data-testid="confirm"]'), /holds 2 messages/);
    await (await app.shown("confirm-yes")).click();
    await waitFor(async () => !(await tb.folderNames("alice")).includes("Projects 2026"), { what: "the folder gone from the server" });
    await waitFor(async () => !(await app.folders()).some((f) => f.name === "Projects 2026"), { what: "the folder gone from the tree" });
  });
});
