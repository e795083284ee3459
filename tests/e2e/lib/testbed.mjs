// A Dovecot testbed per test file (tests/testbed/testbed), and a second IMAP client on it.

import { CLI_BIN, IMAP_PY, TESTBED, run, subdir } from "./util.mjs";

export class Testbed {
  /** Starts a testbed in `<dir>/testbed` with the given users (password `<user>-pw`). */
  static async start(dir, users = ["alice", "bob"]) {
    const tbDir = subdir(dir, "testbed");
    const tb = new Testbed(tbDir);
    const out = await run(TESTBED, ["start", tbDir, "--users", users.join(",")], { timeout: 30_000 });
    const env = Object.fromEntries(
      out
        .split("\n")
        .map((l) => l.match(/^([A-Z_]+)=(.*)$/))
        .filter(Boolean)
        .map((m) => [m[1], m[2]]),
    );
    tb.imapPort = Number(env.TESTBED_IMAP_PORT);
    tb.imapsPort = Number(env.TESTBED_IMAPS_PORT);
    tb.caFile = env.TESTBED_CA_FILE;
    // Postfix's submission port (STARTTLS), when the testbed has SMTP.
    tb.submissionPort = Number(env.TESTBED_SUBMISSION_PORT) || null;
    if (!tb.imapsPort || !tb.caFile) throw new Error(`unexpected testbed output:\n${out}`);
    return tb;
  }

  constructor(dir) {
    this.dir = dir;
  }

  /**
   * Pre-creates `<user>@example.org` in a profile with the CLI (implicit TLS, the testbed's CA,
   * the password from a password command, so no keyring is involved), as a returning user's
   * profile would be.
   */
  async addAccountWithCli(profile, user = "alice", name = "") {
    await run(CLI_BIN, [
      "--data-dir", profile, "account", "add",
      "--email", `${user}@example.org`,
      "--name", name,
      "--imap-host", "127.0.0.1",
      "--imap-port", String(this.imapsPort),
      "--imap-security", "tls",
      "--username", user,
      "--ca-file", this.caFile,
      "--password-command", `echo ${user}-pw`,
      ...(this.submissionPort
        ? ["--smtp-host", "127.0.0.1", "--smtp-port", String(this.submissionPort), "--smtp-security", "starttls"]
        : []),
    ]);
  }

  async stop() {
    await run(TESTBED, ["stop", this.dir]);
  }

  /** Writes `n` generated messages into a folder (see tests/testbed/README.md). */
  async seed(user, folder, n) {
    await run(TESTBED, ["seed", this.dir, user, folder, String(n)], { timeout: 60_000 });
  }

  #imap(user, args, input) {
    return run("/usr/bin/python3", [IMAP_PY, String(this.imapsPort), this.caFile, user, `${user}-pw`, ...args], {
      input,
      timeout: 30_000,
    });
  }

  /** Appends a raw message as another client would; resolves with its UID. */
  async append(user, folder, raw) {
    return Number((await this.#imap(user, ["append", folder], raw)).trim());
  }

  /** Appends raw message files in one session, in order; resolves with their UIDs. */
  async appendFiles(user, folder, files) {
    const out = await this.#imap(user, ["append-files", folder, ...files]);
    return out.split("\n").filter(Boolean).map(Number);
  }

  /** The message's flags on the server, e.g. ["\\Seen"]. */
  async flags(user, folder, uid) {
    return (await this.#imap(user, ["flags", folder, String(uid)])).trim().split(/\s+/).filter(Boolean);
  }

  /** The subjects of a folder's messages on the server (as raw header values). */
  async subjects(user, folder) {
    return (await this.#imap(user, ["subjects", folder])).split("\n").filter(Boolean);
  }

  /** The folder names on the server. */
  async folderNames(user) {
    return (await this.#imap(user, ["folders", "-"])).split("\n").filter(Boolean);
  }

  async count(user, folder) {
    return Number((await this.#imap(user, ["count", folder])).trim());
  }
}
