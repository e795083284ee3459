// Tests of the account form model: suggestions that follow the address, checks, conversion.
import { describe, expect, it } from "vitest";
import type { Account } from "./api";
import { applyEmail, checkForm, emptyForm, formFromAccount, formToConfig, withPinned, withPort, withSecurity } from "./accountForm";

describe("applyEmail", () => {
  it("fills user name and suggested servers from a fresh address", () => {
    const f = applyEmail(emptyForm(), "alice@example.org");
    expect(f.username).toBe("alice@example.org");
    expect(f.imap).toEqual({ host: "imap.example.org", port: 993, security: "tls" });
    expect(f.smtp).toEqual({ host: "smtp.example.org", port: 465, security: "tls" });
  });

  it("keeps following the address while typing", () => {
    let f = emptyForm();
    for (const email of ["a", "a@", "a@ex", "a@example.org"]) f = applyEmail(f, email);
    expect(f.imap.host).toBe("imap.example.org");
    expect(f.username).toBe("a@example.org");
  });

  it("keeps a host or user name the user typed", () => {
    let f = applyEmail(emptyForm(), "a@example.org");
    f = { ...f, username: "alice", imap: { ...f.imap, host: "mail.example.org", port: 143, security: "starttls" } };
    f = applyEmail(f, "a@example.net");
    expect(f.username).toBe("alice");
    expect(f.imap).toEqual({ host: "mail.example.org", port: 143, security: "starttls" });
    expect(f.smtp.host).toBe("smtp.example.net");
  });

  it("does not modify the form it was given", () => {
    const before = emptyForm();
    applyEmail(before, "a@example.org");
    expect(before.imap.host).toBe("");
  });
});

describe("withPort / withSecurity", () => {
  it("switches security when the port changes, and back", () => {
    let f = applyEmail(emptyForm(), "a@example.org");
    f = withPort(f, "imap", 143);
    expect(f.imap.security).toBe("starttls");
    f = withSecurity(f, "imap", "tls");
    expect(f.imap.port).toBe(993);
    f = withSecurity(f, "smtp", "starttls");
    expect(f.smtp.port).toBe(587);
    f = withPort(f, "smtp", 465);
    expect(f.smtp.security).toBe("tls");
  });
});

describe("checkForm", () => {
  const ready = () => ({ ...applyEmail(emptyForm(), "a@example.org"), password: "pw" });

  it("accepts a complete form", () => {
    expect(checkForm(ready(), false)).toBeNull();
  });
  it("asks for an address, a password and a server", () => {
    expect(checkForm({ ...ready(), email: "nope" }, false)?.message).toMatch(/email address/);
    expect(checkForm({ ...ready(), password: "" }, false)?.message).toMatch(/password/);
    expect(checkForm({ ...ready(), password: "" }, true)).toBeNull();
    expect(checkForm({ ...ready(), imap: { host: " ", port: 993, security: "tls" } }, false)?.message).toMatch(/IMAP/);
  });
  it("rejects impossible ports", () => {
    expect(checkForm(withPort(ready(), "imap", 0), false)?.message).toMatch(/IMAP port/);
    expect(checkForm(withPort(ready(), "smtp", 70000), false)?.message).toMatch(/SMTP port/);
  });
  it("requires explicit consent for no encryption, pointing to Advanced", () => {
    const plain = withSecurity(ready(), "imap", "plain");
    expect(checkForm(plain, false)).toEqual({ message: expect.stringMatching(/Allow unencrypted/), advanced: true });
    expect(checkForm({ ...plain, allowPlaintext: true }, false)).toBeNull();
  });
});

describe("formToConfig", () => {
  it("builds both servers with the shared user name and trust", () => {
    let f = { ...applyEmail(emptyForm(), "a@example.org"), displayName: " Alice ", caFile: "/etc/ca.pem" };
    f = withPinned(withPinned(f, "AB:CD"), "abcd");
    const c = formToConfig(f);
    expect(c.email).toBe("a@example.org");
    expect(c.display_name).toBe("Alice");
    expect(c.imap).toEqual({ host: "imap.example.org", port: 993, security: "tls", username: "a@example.org", allow_plaintext: false });
    expect(c.smtp?.host).toBe("smtp.example.org");
    expect(c.trust).toEqual({ ca_file: "/etc/ca.pem", pinned_sha256: ["AB:CD"] });
    expect(c.notify).toBe(true);
  });

  it("leaves SMTP out when no host is given and defaults the user name to the address", () => {
    const f = { ...applyEmail(emptyForm(), "a@example.org"), username: "", smtp: { host: "", port: 465, security: "tls" as const } };
    const c = formToConfig(f);
    expect(c.smtp).toBeNull();
    expect(c.imap.username).toBe("a@example.org");
    expect(c.trust).toEqual({});
  });

  it("round-trips an account, keeping its password command", () => {
    const account: Account = {
      id: 3,
      email: "b@example.org",
      display_name: "Bob",
      imap: { host: "127.0.0.1", port: 10143, security: "starttls", username: "bob", allow_plaintext: true },
      smtp: null,
      trust: { pinned_sha256: ["AA"] },
      notify: false,
      password_command: "pass show bob",
    };
    const f = formFromAccount(account);
    expect(f.password).toBe("");
    const c = formToConfig(f);
    expect(c).toEqual({
      email: "b@example.org",
      display_name: "Bob",
      imap: account.imap,
      smtp: null,
      trust: { pinned_sha256: ["AA"] },
      notify: false,
      password_command: "pass show bob",
    });
  });
});
