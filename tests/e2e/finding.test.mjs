// Finding mail in the real app: "/" focuses the search box, typing narrows the list to what the
// corpus holds (accents folded, prefixes as you type, operators), Escape goes back; the
// conversation view groups a thread across INBOX and Sent, collapses what was read, and a star
// applies to the whole conversation, on the server too.

import assert from "node:assert/strict";
import { after, before, describe, test as nodeTest } from "node:test";
import { Key } from "webdriverio";
import { App, screenshotOnFailure } from "./lib/app.mjs";
import { textMessage } from "./lib/mail.mjs";
import { Testbed } from "./lib/testbed.mjs";
import { scratchDir, subdir, waitFor } from "./lib/util.mjs";

const HOUR = 3600 * 1000;
const t0 = Date.now() - 48 * HOUR;
const KICKOFF = "Kickoff for the Hörnli offsite";
const mail = {
  kickoff: {
    from: "Bob Example <bob@example.net>",
    subject: KICKOFF,
    text: "Hi all,\n\nthe offsite budget is agreed. Agenda follows.\n\nBob",
    date: new Date(t0),
    messageId: "<kickoff.1@example.net>",
  },
  reply: {
    from: "Carol Example <carol@example.net>",
    subject: `Re: ${KICKOFF}`,
    text: "Great, I will book the train to Hornli.\n\nCarol",
    date: new Date(t0 + HOUR),
    messageId: "<kickoff.2@example.net>",
    inReplyTo: "<kickoff.1@example.net>",
    references: ["<kickoff.1@example.net>"],
  },
  mine: {
    from: "Alice Example <alice@example.org>",
    to: "Bob Example <bob@example.net>",
    subject: `Re: ${KICKOFF}`,
    text: "Count me in.\n\nAlice",
    date: new Date(t0 + 2 * HOUR),
    messageId: "<kickoff.3@example.org>",
    inReplyTo: "<kickoff.2@example.net>",
    references: ["<kickoff.1@example.net>", "<kickoff.2@example.net>"],
  },
  lunch: {
    from: "Dave Example <dave@example.net>",
    subject: "Lunch on Friday",
    text: "Pizza at noon? The usual place.\n\nDave",
    date: new Date(t0 + 3 * HOUR),
  },
  // Same subject, no references: a different conversation (RFC 5256 would merge only replies).
  unrelated: {
    from: "Erin Example <erin@example.net>",
    subject: KICKOFF,
    text: "Another kickoff, for a crew of otters.",
    date: new Date(t0 + 4 * HOUR),
  },
};

let dir, tb, app;
const uids = {};
const test = screenshotOnFailure(nodeTest, () => app);

/** The rows on screen now, each with its kind and the text inside <mark> (search matches). */
async function listed() {
  return app.browser.execute(() =>
    [...document.querySelectorAll('[data-testid="message-row"], [data-testid="thread-row"]')].map((r) => ({
      kind: r.getAttribute("data-testid"),
      id: r.getAttribute("data-id"),
      count: r.getAttribute("data-count"),
      text: r.textContent.replace(/\s+/g, " ").trim(),
      marks: [...r.querySelectorAll("mark")].map((m) => m.textContent),
    })),
  );
}

/** Waits until the list shows exactly the rows whose text includes each of `subjects`. */
async function expectRows(what, predicate) {
  return waitFor(
    async () => {
      const rows = await listed();
      return predicate(rows) ? rows : null;
    },
    { timeout: 10_000, what },
  );
}

describe("finding mail: search as you type, and conversations", () => {
  before(async () => {
    dir = scratchDir("finding");
    tb = await Testbed.start(dir, ["alice"]);
    await tb.seed("alice", "INBOX", 40);
    uids.kickoff = await tb.append("alice", "INBOX", textMessage(mail.kickoff));
    uids.reply = await tb.append("alice", "INBOX", textMessage(mail.reply));
    uids.mine = await tb.append("alice", "Sent", textMessage(mail.mine));
    uids.lunch = await tb.append("alice", "INBOX", textMessage(mail.lunch));
    uids.unrelated = await tb.append("alice", "INBOX", textMessage(mail.unrelated));
    const profile = subdir(dir, "profile");
    await tb.addAccountWithCli(profile, "alice", "Alice Example");
    app = await App.start({ profile, dir });
    await app.shown("folder-tree", 20_000);
    await app.openFolder("Inbox");
    await app.row("Lunch on Friday");
  });

  after(async () => {
    await app?.stop();
    await tb?.stop();
  });

  test("/ focuses the search box, and typing narrows the list as you type", async () => {
    await app.$("message-list").click();
    await app.browser.keys(["/"]);
    await waitFor(async () => app.browser.execute(() => document.activeElement?.getAttribute("data-testid") === "search-input"), {
      what: "the search box to have focus after /",
    });
    // A prefix, typed without the accent: the kickoff conversation's three messages (INBOX and
    // Sent: all folders) and Erin's same-subject mail.
    await app.browser.keys([..."hornl"]);
    const rows = await expectRows("the four Hörnli messages", (r) => r.length === 4);
    assert.ok(rows.every((r) => r.kind === "message-row"));
    assert.ok(rows.every((r) => r.text.includes("Hörnli")), JSON.stringify(rows));
    assert.ok(rows.some((r) => r.text.includes("Sent")), "the reply in Sent says where it is");
    assert.ok(
      rows.every((r) => r.marks.some((m) => /^h[oö]rnli/i.test(m))),
      `every hit highlights its match: ${JSON.stringify(rows.map((r) => r.marks))}`,
    );
    assert.match(await app.text('[data-testid="search-count"]'), /^4 found$/);
  });

  test("operators, phrases and negation narrow to what the corpus holds", async () => {
    await app.type("search-input", "from:dave pizza");
    let rows = await expectRows("Dave's lunch mail alone", (r) => r.length === 1 && r[0].text.includes("Lunch on Friday"));

    await app.type("search-input", `"crew of otters"`);
    // Each wait names the content too: the previous query's rows must not satisfy it.
    rows = await expectRows("the unrelated kickoff alone", (r) => r.length === 1 && r[0].text.includes("Erin"));

    await app.type("search-input", "kickoff -from:erin in:inbox");
    rows = await expectRows("the two INBOX kickoff messages, not Erin's", (r) => r.length === 2 && r.every((x) => x.text.includes("Hörnli")));
    assert.ok(rows.every((r) => !r.text.includes("Erin")), JSON.stringify(rows));

    await app.type("search-input", "nosuchwordanywhere");
    await app.shown("no-results");
  });

  test("the server's search adds nothing the index already found", async () => {
    await app.type("search-input", "budget offsite");
    await expectRows("the kickoff mail", (r) => r.length === 1 && r[0].text.includes("Kickoff"));
    await (await app.shown("search-server")).click();
    await app.shown("search-server-done", 20_000);
    assert.match(await app.text('[data-testid="search-server-done"]'), /Server: 0 more/);
    assert.equal((await listed()).length, 1);
  });

  test("Escape clears the search and brings the folder back", async () => {
    await app.$("search-input").click();
    await app.browser.keys([Key.Escape]);
    await app.row("Lunch on Friday");
    assert.equal(await app.$("search-input").getValue(), "");
    const rows = await listed();
    assert.ok(rows.length > 5, `the folder is listed again (${rows.length} rows)`);
  });

  test("conversations: replies from Sent join, the same subject without references does not", async () => {
    await (await app.shown("threads-toggle")).click();
    const rows = await expectRows("the kickoff conversation of three", (r) =>
      r.some((x) => x.kind === "thread-row" && x.count === "3" && x.text.includes("Kickoff")),
    );
    const kickoff = rows.find((x) => x.count === "3");
    assert.ok(kickoff.text.includes("Bob") && kickoff.text.includes("Carol") && kickoff.text.includes("Alice"), kickoff.text);
    const erin = rows.find((x) => x.kind === "thread-row" && x.text.includes("Erin"));
    assert.ok(erin, "Erin's mail with the same subject is its own conversation");
    assert.equal(erin.count, "1");

    // Opening it shows the three messages in order; all were unread, so all are expanded.
    await app.browser.$(`[data-testid="thread-row"][data-id="${kickoff.id}"]`).click();
    const items = await waitFor(
      async () => {
        const m = await app.browser.execute(() =>
          [...document.querySelectorAll('[data-testid="conversation-message"]')].map((el) => ({
            expanded: el.getAttribute("data-expanded"),
            text: el.textContent.replace(/\s+/g, " ").trim(),
          })),
        );
        return m.length === 3 ? m : null;
      },
      { what: "three messages in the conversation" },
    );
    assert.deepEqual(
      items.map((m) => m.text.split(" ")[0]),
      ["Bob", "Carol", "Alice"],
    );
    assert.ok(items.every((m) => m.expanded === "true"));
    await waitFor(async () => (await app.browser.$$('[data-testid="reader-body-text"]').length) === 3, {
      what: "the three bodies to be shown",
    });
    assert.match(await app.text('[data-testid="conversation-subject"]'), /Kickoff for the Hörnli offsite/);
    // Reading them marked them read, on the server too.
    await waitFor(async () => (await tb.flags("alice", "INBOX", uids.kickoff)).includes("\\Seen"), {
      what: "\\Seen on the kickoff mail on the server",
    });
  });

  test("read messages collapse to one line when the conversation is opened again", async () => {
    const erin = (await listed()).find((x) => x.kind === "thread-row" && x.text.includes("Erin"));
    await app.browser.$(`[data-testid="thread-row"][data-id="${erin.id}"]`).click();
    await waitFor(async () => (await app.browser.$$('[data-testid="conversation-message"]').length) === 1, {
      what: "Erin's conversation",
    });
    const kickoff = (await listed()).find((x) => x.count === "3");
    await app.browser.$(`[data-testid="thread-row"][data-id="${kickoff.id}"]`).click();
    const expanded = await waitFor(
      async () => {
        const e = await app.browser.execute(() =>
          [...document.querySelectorAll('[data-testid="conversation-message"]')].map((el) => el.getAttribute("data-expanded")),
        );
        return e.length === 3 ? e : null;
      },
      { what: "the kickoff conversation again" },
    );
    assert.deepEqual(expanded, ["false", "false", "true"], "older read messages are collapsed, the newest open");
    // A collapsed one opens on click.
    await app.browser.$('[data-testid="conversation-message"] button').click();
    await waitFor(
      async () =>
        (await app.browser.$('[data-testid="conversation-message"]').getAttribute("data-expanded")) === "true",
      { what: "the first message to expand" },
    );
  });

  test("a star applies to the whole conversation, in INBOX and Sent, on the server", async () => {
    const kickoff = (await listed()).find((x) => x.count === "3");
    // A click puts the cursor on the conversation; "s" stars it.
    await app.browser.$(`[data-testid="thread-row"][data-id="${kickoff.id}"]`).click();
    await app.browser.keys(["s"]);
    for (const [folder, uid] of [
      ["INBOX", uids.kickoff],
      ["INBOX", uids.reply],
      ["Sent", uids.mine],
    ]) {
      await waitFor(async () => (await tb.flags("alice", folder, uid)).includes("\\Flagged"), {
        what: `\\Flagged on ${folder} UID ${uid}`,
      });
    }
    assert.ok(!(await tb.flags("alice", "INBOX", uids.unrelated)).includes("\\Flagged"), "other conversations keep theirs");
  });
});
