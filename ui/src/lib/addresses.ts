// Address lists as people type them ("Bob <bob@x.org>, carol@y.org") and back, and the token
// under the cursor that autocomplete completes.

import type { Address } from "./api";

/** Splits on commas and semicolons outside quotes and angle brackets. */
function splitList(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let angle = false;
  for (const ch of text) {
    if (ch === '"' && !angle) quoted = !quoted;
    else if (ch === "<" && !quoted) angle = true;
    else if (ch === ">" && !quoted) angle = false;
    if ((ch === "," || ch === ";") && !quoted && !angle) {
      out.push(cur);
      cur = "";
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

export function isEmail(s: string): boolean {
  return EMAIL.test(s);
}

/** One typed address: `Name <email>`, `"Last, First" <email>`, or a bare email. */
export function parseAddress(text: string): Address | null {
  const t = text.trim();
  const m = t.match(/^(.*?)\s*<([^<>]+)>$/);
  if (m) {
    const email = m[2]!.trim();
    let name = m[1]!.trim();
    if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1).replace(/\\(.)/g, "$1");
    return isEmail(email) ? (name ? { name, email } : { email }) : null;
  }
  return isEmail(t) ? { email: t } : null;
}

/** The addresses in a typed list, and the pieces that are not addresses. */
export function parseList(text: string): { addresses: Address[]; invalid: string[] } {
  const addresses: Address[] = [];
  const invalid: string[] = [];
  for (const part of splitList(text)) {
    const a = parseAddress(part);
    if (a) addresses.push(a);
    else invalid.push(part);
  }
  return { addresses, invalid };
}

/** An address as it is typed back: names with specials are quoted. */
export function formatForField(a: Address): string {
  const name = a.name?.trim();
  if (!name) return a.email;
  const q = /[",;<>@()\\[\]:]/.test(name) ? `"${name.replace(/(["\\])/g, "\\$1")}"` : name;
  return `${q} <${a.email}>`;
}

export function formatList(list: readonly Address[]): string {
  return list.map(formatForField).join(", ");
}

/** The part of `text` before `caret` that is being typed (after the last separator). */
export function currentToken(text: string, caret: number): { start: number; token: string } {
  const before = text.slice(0, caret);
  let start = 0;
  let quoted = false;
  let angle = false;
  for (let i = 0; i < before.length; i++) {
    const ch = before[i];
    if (ch === '"' && !angle) quoted = !quoted;
    else if (ch === "<" && !quoted) angle = true;
    else if (ch === ">" && !quoted) angle = false;
    else if ((ch === "," || ch === ";") && !quoted && !angle) start = i + 1;
  }
  while (start < before.length && before[start] === " ") start++;
  return { start, token: before.slice(start) };
}

/** Replaces the token being typed with a chosen address, ready for the next one. */
export function completeToken(text: string, caret: number, chosen: Address): { text: string; caret: number } {
  const { start } = currentToken(text, caret);
  let end = caret;
  while (end < text.length && text[end] !== "," && text[end] !== ";") end++;
  const head = text.slice(0, start);
  const tail = text.slice(end).replace(/^[,;]\s*/, "");
  const inserted = `${formatForField(chosen)}, `;
  return { text: head + inserted + tail, caret: (head + inserted).length };
}
