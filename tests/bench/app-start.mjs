// Measures the app's cold start: from launching the built app (through tauri-driver and
// WebKitWebDriver, under the current DISPLAY) until the cached INBOX list shows message rows.
// The WebDriver session start is included, so the figure is an upper bound.
//
//   TERN_DATA_DIR=<synced profile> DISPLAY=:99 node tests/bench/app-start.mjs [runs] [app binary]
import { spawn } from "node:child_process";
import { remote } from "webdriverio";
import { createServer } from "node:net";

const runs = Number(process.argv[2] ?? 3);
const app = process.argv[3] ?? new URL("../../target/release/tern-app", import.meta.url).pathname;

function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const times = [];
for (let i = 0; i < runs; i++) {
  const port = await freePort();
  const native = await freePort();
  const driver = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", String(port), "--native-port", String(native)], {
    stdio: "ignore",
  });
  await sleep(500);
  const t0 = performance.now();
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    capabilities: { "tauri:options": { application: app } },
  });
  let t1 = 0;
  for (;;) {
    const rows = await browser.$$('[data-testid="message-row"]');
    if (rows.length > 0) {
      t1 = performance.now();
      break;
    }
    if (performance.now() - t0 > 60_000) throw new Error("the list never showed");
    await sleep(20);
  }
  times.push((t1 - t0) / 1000);
  console.log(`run ${i + 1}: launch -> cached INBOX rows visible ${((t1 - t0) / 1000).toFixed(3)} s`);
  await browser.deleteSession();
  driver.kill();
  await sleep(500);
}
times.sort((a, b) => a - b);
console.log(`median ${times[Math.floor(times.length / 2)].toFixed(3)} s (min ${times[0].toFixed(3)}, max ${times.at(-1).toFixed(3)})`);
