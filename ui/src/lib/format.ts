// Small formatting helpers for people: addresses, sizes, subjects and counts.

import type { Address, MessageSummary } from "./api";
import { Flags } from "./api";

/**
 * Header text as it may be shown: without bidirectional embeddings, overrides and isolates
 * (U+202A-202E, U+2066-2069), which a sender can use to make "exe.pdf" read as "fdp.exe" or
 * to reverse the rest of a line, and without other control characters.
 */
export function visible(s: string): string {
  return s.replace(/[\u202a-\u202e\u2066-\u2069\u0000-\u0008\u000b-\u001f\u007f]/g, "");
}

/** "Alice Example" or, without a name, the address itself. */
export function senderName(a: Address | null | undefined): string {
  if (!a) return "(unknown sender)";
  return visible(a.name ?? "").trim() || visible(a.email ?? "") || "(unknown sender)";
}

/** "Alice Example <alice@example.org>" or just the address. */
export function formatAddress(a: Address): string {
  const name = visible(a.name ?? "").trim();
  return name ? `${name} <${visible(a.email)}>` : visible(a.email);
}

export function formatAddresses(list: readonly Address[]): string {
  return list.map(formatAddress).join(", ");
}

export function subjectOf(subject: string): string {
  return visible(subject).trim() || "(no subject)";
}

/** "512 bytes", "12 KB", "3.4 MB" (binary units, as file managers show). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? "byte" : "bytes"}`;
  const kb = bytes / 1024;
  if (kb < 1024) return `${Math.round(kb)} KB`;
  const mb = kb / 1024;
  if (mb < 1024) return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
  return `${(mb / 1024).toFixed(1)} GB`;
}

export function isUnread(m: Pick<MessageSummary, "flags">): boolean {
  return (m.flags & Flags.Seen) === 0;
}

export function isFlagged(m: Pick<MessageSummary, "flags">): boolean {
  return (m.flags & Flags.Flagged) !== 0;
}

const counts = new Intl.NumberFormat();

export function formatCount(n: number): string {
  return counts.format(n);
}
