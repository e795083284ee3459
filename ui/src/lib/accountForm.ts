// The account setup form's model: defaults, suggestions that follow the address until the user
// overrides them, checks before anything touches the network, and conversion to AccountConfig.

import type { Account, AccountConfig, Security } from "./api";
import { portForSecurity, securityForPort, suggestServers, type ServerKind } from "./serverDefaults";

export interface ServerFields {
  host: string;
  port: number;
  security: Security;
}

export interface AccountForm {
  email: string;
  displayName: string;
  /** "" when editing means: keep the stored password. */
  password: string;
  imap: ServerFields;
  smtp: ServerFields;
  username: string;
  allowPlaintext: boolean;
  caFile: string;
  pinned: string[];
  notify: boolean;
  /** Set up elsewhere (the CLI); kept as it is. */
  passwordCommand: string | null;
}

export function emptyForm(): AccountForm {
  return {
    email: "",
    displayName: "",
    password: "",
    imap: { host: "", port: 993, security: "tls" },
    smtp: { host: "", port: 465, security: "tls" },
    username: "",
    allowPlaintext: false,
    caFile: "",
    pinned: [],
    notify: true,
    passwordCommand: null,
  };
}

export function formFromAccount(a: Account): AccountForm {
  return {
    email: a.email,
    displayName: a.display_name,
    password: "",
    imap: { host: a.imap.host, port: a.imap.port, security: a.imap.security },
    smtp: a.smtp
      ? { host: a.smtp.host, port: a.smtp.port, security: a.smtp.security }
      : { host: "", port: 465, security: "tls" },
    username: a.imap.username,
    allowPlaintext: a.imap.allow_plaintext || (a.smtp?.allow_plaintext ?? false),
    caFile: a.trust.ca_file ?? "",
    pinned: [...(a.trust.pinned_sha256 ?? [])],
    notify: a.notify,
    passwordCommand: a.password_command ?? null,
  };
}

/**
 * A new address. The user name and host names follow it while they are empty or still what the
 * previous address suggested; anything the user typed is kept.
 */
export function applyEmail(form: AccountForm, email: string): AccountForm {
  const before = suggestServers(form.email);
  const after = suggestServers(email);
  const next: AccountForm = { ...form, email, imap: { ...form.imap }, smtp: { ...form.smtp } };
  if (form.username === "" || form.username === form.email) next.username = email.trim();
  for (const kind of ["imap", "smtp"] as const) {
    const cur = form[kind];
    const followed = cur.host === "" || (before !== null && cur.host === before[kind].host);
    if (!followed) continue;
    next[kind].host = after ? after[kind].host : "";
    if (after) {
      next[kind].port = after[kind].port;
      next[kind].security = after[kind].security;
    }
  }
  return next;
}

/** A typed port; security follows well-known ports. */
export function withPort(form: AccountForm, kind: ServerKind, port: number): AccountForm {
  const cur = form[kind];
  return { ...form, [kind]: { ...cur, port, security: securityForPort(kind, port, cur.security) } };
}

/** Chosen security; a well-known port follows it. */
export function withSecurity(form: AccountForm, kind: ServerKind, security: Security): AccountForm {
  const cur = form[kind];
  return { ...form, [kind]: { ...cur, security, port: portForSecurity(kind, security, cur.port) } };
}

/** Adds a certificate fingerprint the user chose to trust (once). */
export function withPinned(form: AccountForm, fingerprint: string): AccountForm {
  const norm = (s: string) => s.replace(/[^0-9a-f]/gi, "").toUpperCase();
  if (form.pinned.some((p) => norm(p) === norm(fingerprint))) return form;
  return { ...form, pinned: [...form.pinned, fingerprint] };
}

export interface FormProblem {
  message: string;
  /** The problem is in the Advanced section, so it should be opened. */
  advanced: boolean;
}

const validPort = (p: number) => Number.isInteger(p) && p >= 1 && p <= 65535;

/** What must be fixed before trying to connect, or null. */
export function checkForm(form: AccountForm, editing: boolean): FormProblem | null {
  const problem = (message: string, advanced = false) => ({ message, advanced });
  if (!/^[^@\s]+@[^@\s]+$/.test(form.email.trim())) return problem("Enter an email address such as name@example.org.");
  if (!editing && !form.password && !form.passwordCommand) return problem("Enter the password for this account.");
  if (!form.imap.host.trim()) return problem("Enter the incoming (IMAP) server.");
  if (!validPort(form.imap.port)) return problem("The IMAP port must be a number from 1 to 65535.");
  if (form.smtp.host.trim() && !validPort(form.smtp.port)) {
    return problem("The SMTP port must be a number from 1 to 65535.");
  }
  const plain = form.imap.security === "plain" || (form.smtp.host.trim() !== "" && form.smtp.security === "plain");
  if (plain && !form.allowPlaintext) {
    return problem("To connect without encryption, tick “Allow unencrypted connection” under Advanced.", true);
  }
  return null;
}

export function formToConfig(form: AccountForm): AccountConfig {
  const username = form.username.trim() || form.email.trim();
  const server = (s: ServerFields) => ({
    host: s.host.trim(),
    port: s.port,
    security: s.security,
    username,
    allow_plaintext: form.allowPlaintext,
  });
  const trust: AccountConfig["trust"] = {};
  if (form.caFile.trim()) trust.ca_file = form.caFile.trim();
  if (form.pinned.length) trust.pinned_sha256 = [...form.pinned];
  return {
    email: form.email.trim(),
    display_name: form.displayName.trim(),
    imap: server(form.imap),
    smtp: form.smtp.host.trim() ? server(form.smtp) : null,
    trust,
    notify: form.notify,
    password_command: form.passwordCommand,
  };
}
