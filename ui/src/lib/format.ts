// Small formatting helpers for people: addresses, sizes, subjects and counts.

import type { Address, MessageSummary } from "./api";
import { Flags } from "./api";

/** "Alice Example" or, without a name, the address itself. */
export function senderName(a: Address | null | undefined): string {
  if (!a) return "(unknown sender)";
  return a.name?.trim() || a.email || "(unknown sender)";
}

/** "Alice Example <alice@example.org>" or just the address. */
export function formatAddress(a: Address): string {
  const name = a.name?.trim();
  return name ? `${name} <${a.email}>` : a.email;
}

export function formatAddresses(list: readonly Address[]): string {
  return list.map(formatAddress).join(", ");
}

export function subjectOf(subject: string): string {
  return subject.trim() || "(no subject)";
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
