// Remote content in HTML mail: blocked until the user asks (no request reaches the server),
// then "Load once" fetches the image, while CSS url()s and <link> stylesheets stay stripped.

import assert from "node:assert/strict";
import { after, before, describe, test as nodeTest } from "node:test";
import { App, screenshotOnFailure } from "./lib/app.mjs";
import { countingServer } from "./lib/http.mjs";
import { htmlMessage } from "./lib/mail.mjs";
import { Testbed } from "./lib/testbed.mjs";
import { scratchDir, sleep, subdir, waitFor } from "./lib/util.mjs";

const SUBJECT = "Remote e2e: tracking pixel inside";

let dir, tb, app, http;
const test = screenshotOnFailure(nodeTest, () => app);

function message(port) {
  const base = `http://127.0.0.1:${port}`;
  return htmlMessage({
    subject: SUBJECT,
    text: "Remote content test (text part)",
    html: [
      "<!DOCTYPE html><html><head>",
      `<link rel=stylesheet href=${base}/x.css>`,
      `<style>.hero { background: url(${base}/bg.png) no-repeat; }</style>`,
      "</head><body>",
      `<div class="hero" style="background-image: url('${base}/bg.png'); min-height: 40px">Remote e2e body</div>`,
      `<p><img src="${base}/pixel.gif" alt="pixel" width="20" height="20"></p>`,
      "</body></html>",
    ].join("\n"),
  });
}

describe("remote: remote content blocked until allowed", () => {
  before(async () => {
    dir = scratchDir("remote");
    http = await countingServer();
    tb = await Testbed.start(dir, ["alice"]);
    await tb.append("alice", "INBOX", message(http.port));
    const profile = subdir(dir, "profile");
    await tb.addAccountWithCli(profile);
    app = await App.start({ profile, dir });
    await app.shown("folder-tree", 20_000);
    await app.openFolder("Inbox");
  });

  after(async () => {
    await app?.stop();
    await tb?.stop();
    await http?.close();
  });

  test("opening the message shows it with remote content blocked, and nothing is fetched", async () => {
    const row = await app.row(SUBJECT);
    await app.rowElement(row.id).click();
    await app.shown("remote-bar");
    assert.equal(await app.$("remote-load-once").isDisplayed(), true);
    // The body itself is there...
    await app.inFrame(() =>
      waitFor(async () => /Remote e2e body/.test(await app.browser.$("body").getText()), { what: "the body in the frame" }),
    );
    // ...and for a while nothing reaches the server.
    await sleep(3_000);
    assert.deepEqual(http.paths(), [], "remote content was requested before the user allowed it");
  });

  test("Load once fetches the image, but not CSS backgrounds or linked stylesheets", async () => {
    await app.$("remote-load-once").click();
    await waitFor(() => http.paths().includes("/pixel.gif"), { timeout: 10_000, what: "a request for /pixel.gif" });
    await waitFor(async () => !(await app.$("remote-bar").isExisting()), { what: "the remote-content bar to go" });
    // The image is in the page and loaded.
    const loaded = await app.inFrame(() =>
      waitFor(
        () =>
          app.browser.execute(() => {
            const img = document.querySelector("img");
            return img && img.complete && img.naturalWidth > 0 ? img.getAttribute("src") : null;
          }),
        { what: "the image to load in the frame" },
      ),
    );
    assert.match(loaded, /\/pixel\.gif$/);
    // The sanitizer removed the stylesheet link and every CSS url() (the page's CSP would block
    // an http: stylesheet anyway, so look at the markup too).
    const markup = await app.inFrame(() => app.browser.execute(() => document.documentElement.outerHTML));
    assert.doesNotMatch(markup, /x\.css/, "the <link> stylesheet is still in the message");
    assert.doesNotMatch(markup, /bg\.png/, "a CSS url() is still in the message");
    assert.match(markup, /Remote e2e body/);
    // Give stray requests time to arrive, then check that only the image was fetched.
    await sleep(1_500);
    const others = http.paths().filter((p) => p !== "/pixel.gif");
    assert.deepEqual(others, [], `requests other than the image: ${others.join(", ")}`);
  });
});
