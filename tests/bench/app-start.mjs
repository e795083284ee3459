// Measures the app's cold start: from launching the built app (through tauri-driver and
// WebKitWebDriver, under the current DISPLAY) until the cached INBOX list shows message rows.
// The WebDriver session start is included, so the figure is an upper bound.
// Then, after IDLE_SECONDS (default 5) with the list on screen, it sums the memory of the
// app's processes: tern-app and its WebKit children (web and network processes), not the
// WebDriver ones. RSS counts pages shared between them once per process; PSS splits them.
//
//   TERN_DATA_DIR=<synced profile> DISPLAY=:99 node tests/bench/app-start.mjs [runs] [app binary]
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
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
const idleSeconds = Number(process.env.IDLE_SECONDS ?? 5);

// Processes descending from `root`, with their name and memory (kB) from /proc.
function descendants(root) {
  const procs = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const name = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      procs.set(Number(d), { pid: Number(d), name, ppid });
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const walk = (pid) => {
    for (const p of procs.values()) {
      if (p.ppid === pid) {
        out.push(p);
        walk(p.pid);
      }
    }
  };
  walk(root);
  return out;
}

function memKb(pid, key, file) {
  try {
    const m = readFileSync(`/proc/${pid}/${file}`, "utf8").match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const times = [];
const rss = [];
const pss = [];
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
  await sleep(idleSeconds * 1000);
  const procs = descendants(driver.pid).filter((p) => !/WebDriver|tauri-driver/i.test(p.name));
  const total = procs.reduce((s, p) => s + memKb(p.pid, "VmRSS", "status"), 0);
  const pssKb = procs.reduce((s, p) => s + memKb(p.pid, "Pss", "smaps_rollup"), 0);
  rss.push(total / 1024);
  pss.push(pssKb / 1024);
  for (const p of procs) {
    const kb = (k, f) => (memKb(p.pid, k, f) / 1024).toFixed(1);
    console.log(`  ${p.name} (${p.pid}): RSS ${kb("VmRSS", "status")} MiB, PSS ${kb("Pss", "smaps_rollup")} MiB, anonymous ${kb("RssAnon", "status")} MiB, file ${kb("RssFile", "status")} MiB, shared memory ${kb("RssShmem", "status")} MiB`);
  }
  console.log(
    `run ${i + 1}: idle ${idleSeconds} s later, the app's ${procs.length} processes (${procs.map((p) => p.name).join(", ")}): RSS ${(total / 1024).toFixed(1)} MiB, PSS ${(pssKb / 1024).toFixed(1)} MiB`,
  );
  await browser.deleteSession();
  driver.kill();
  await sleep(500);
}
times.sort((a, b) => a - b);
rss.sort((a, b) => a - b);
const median = (v) => v[Math.floor(v.length / 2)];
console.log(`cold start: median ${median(times).toFixed(3)} s (min ${times[0].toFixed(3)}, max ${times.at(-1).toFixed(3)})`);
pss.sort((a, b) => a - b);
const idle = median(rss);
const idlePss = median(pss);
// Summed RSS counts each shared library once per process that maps it (WebKit's libraries
// are mapped by tern-app and by its web process); PSS splits shared pages among the processes
// mapping them, so the sum is the memory the app really holds. The target is judged on it.
console.log(
  `app idle total RSS (summed, shared pages counted per process): median ${idle.toFixed(1)} MiB (min ${rss[0].toFixed(1)}, max ${rss.at(-1).toFixed(1)})`,
);
console.log(
  `app idle total PSS: median ${idlePss.toFixed(1)} MiB = ${(idlePss * 1.048576).toFixed(0)} MB (min ${pss[0].toFixed(1)}, max ${pss.at(-1).toFixed(1)}); target < 300 MB: ${idlePss * 1.048576 < 300 ? "MET" : "MISSED"}`,
);
