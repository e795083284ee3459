// New mail while the app runs: it shows up by itself (IDLE), the window title counts it, and a
// desktop notification is raised only when the user is not already looking at that folder.

import assert from "node:assert/strict";
import { after, before, describe, test as nodeTest } from "node:test";
import { App, screenshotOnFailure } from "./lib/app.mjs";
import { textMessage } from "./lib/mail.mjs";
import { notifications } from "./lib/notifications.mjs";
import { Testbed } from "./lib/testbed.mjs";
import { scratchDir, sleep, subdir, waitFor } from "./lib/util.mjs";

const FIRST = { from: "Carol Live <carol@example.net>", subject: "Live e2e: arrives while you look", text: "first" };
const SECOND = { from: "Dana Notify <dana@example.net>", subject: "Live e2e: arrives behind your back", text: "second" };

let dir, tb, app, inboxId;
const test = screenshotOnFailure(nodeTest, () => app);

describe("live: new mail while the app runs, title and notifications", () => {
  before(async () => {
    dir = scratchDir("live");
    tb = await Testbed.start(dir, ["alice"]);
    const profile = subdir(dir, "profile");
    await tb.addAccountWithCli(profile);
    app = await App.start({ profile, dir });
    await app.shown("folder-tree", 20_000);
    inboxId = await app.openFolder("Inbox");
    await app.shown("empty-folder");
    // Connected and synced before anything arrives.
    await waitFor(
      async () => (await app.browser.$('[data-testid^="account-status-"]').getAttribute("data-state")) === "online",
      { timeout: 20_000, what: "the account to be online" },
    );
  });

  after(async () => {
    await app?.stop();
    await tb?.stop();
  });

  test("mail arriving in the Inbox on screen appears by itself, is counted in the title, and raises no notification", async (t) => {
    assert.equal(await app.windowTitle(), "Tern", "no unread mail yet");
    // Is the window focused? WebDriver cannot say; the shell asks GTK (is_focused), which follows
    // the X input focus. Under Xvfb there is no window manager, and GTK then gives its window the
    // X input focus itself when the window is shown (XSetInputFocus; measured: the focus is the
    // app's toplevel, not PointerRoot, wherever the pointer is). So the window IS focused here,
    // and with the Inbox on screen the shell must stay quiet.
    const win = await app.window();
    assert.ok(win, "the app's X window");
    assert.equal(await app.focusedXWindow(), win.id, "the app's window has the X input focus");
    assert.equal(await app.browser.execute(() => document.hasFocus()), true);

    const since = Date.now();
    const uid = await tb.append("alice", "INBOX", textMessage(FIRST));
    const t0 = Date.now();
    const row = await app.row(FIRST.subject, 10_000);
    const shownAfter = Date.now() - t0;
    assert.equal(row.unread, "true");
    await waitFor(async () => (await app.windowTitle()) === "Tern — 1 unread", {
      timeout: 5_000,
      what: 'the window title "Tern — 1 unread"',
    });
    assert.equal(await app.$(`folder-unread-${inboxId}`).getText(), "1");
    // The shell decides about the notification when the mail event arrives, before the row is
    // drawn; a Notify call would reach the log within milliseconds. Give it ample time.
    await sleep(2_000);
    assert.deepEqual(notifications(since), [], "no notification for mail the user is looking at");
    t.diagnostic(`UID ${uid} was listed ${shownAfter} ms after the APPEND`);
  });

  test("mail arriving in the Inbox while another folder is on screen raises a notification", async () => {
    await app.openFolder("Archive");
    await app.shown("empty-folder");
    await waitFor(async () => /Archive/.test(await app.text('[data-pane="list"] header')), { what: "the Archive on screen" });

    const since = Date.now();
    await tb.append("alice", "INBOX", textMessage(SECOND));
    // First the mail itself must reach the app (the tree counts it; the list shows the Archive)...
    await waitFor(async () => (await app.$(`folder-unread-${inboxId}`).getText()) === "2", {
      timeout: 10_000,
      what: "the Inbox's unread count to reach 2 (the second message to be synced)",
    });
    // ...and raise a notification: summary = the sender's name, body = the subject.
    const fromDana = () => notifications(since).filter((n) => n.summary === "Dana Notify");
    const notes = await waitFor(() => fromDana().length > 0 && fromDana(), {
      timeout: Math.max(1_000, since + 10_000 - Date.now()),
      what: 'a notification from "Dana Notify"',
    }).catch(async (e) => {
      e.message += `; notifications since: ${JSON.stringify(notifications(since))}`;
      throw e;
    });
    assert.deepEqual(
      notes.map((n) => ({ app: n.app, summary: n.summary, body: n.body })),
      [{ app: "Tern", summary: "Dana Notify", body: SECOND.subject }],
    );
    await waitFor(async () => (await app.windowTitle()) === "Tern — 2 unread", {
      timeout: 5_000,
      what: 'the window title "Tern — 2 unread"',
    });
    assert.equal(await app.$("empty-folder").isDisplayed(), true);
  });
});
