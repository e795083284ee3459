// Folder trees for the folder pane: built from display paths and delimiters, special-use first,
// with parents the server did not list shown as plain, unselectable nodes.

import type { Folder, Role } from "./api";

export interface FolderNode {
  /** Stable across restarts and re-syncs (ids may change; paths do not): "f:<account>:<path>". */
  key: string;
  accountId: number;
  /** Full decoded path, e.g. "Lists/rust". */
  path: string;
  /** What the tree shows for this node. */
  name: string;
  depth: number;
  /** null for a parent the server did not list. */
  folder: Folder | null;
  selectable: boolean;
  role: Role;
  /** Unread mail in this node and everything below it (shown on collapsed parents). */
  unreadBelow: number;
  children: FolderNode[];
}

/** Special-use roles in the order the list shows them (the engine's order). */
export const ROLE_ORDER: readonly Role[] = ["inbox", "drafts", "sent", "archive", "junk", "trash", "all", "flagged", ""];

function roleRank(role: Role): number {
  const i = ROLE_ORDER.indexOf(role);
  return i < 0 ? ROLE_ORDER.length : i;
}

/** The collapse key of an account's header. */
export function accountKey(accountId: number): string {
  return `a:${accountId}`;
}

/** Splits a display path into its components; a flat namespace has one. */
export function splitPath(displayName: string, delimiter: string): string[] {
  if (!delimiter) return [displayName];
  const parts = displayName.split(delimiter).filter((p) => p !== "");
  return parts.length ? parts : [displayName];
}

/** What a folder is called in the tree: its last component, with INBOX spelt for people. */
export function folderLabel(folder: Pick<Folder, "display_name" | "delimiter" | "role">): string {
  const parts = splitPath(folder.display_name, folder.delimiter);
  const leaf = parts[parts.length - 1] ?? folder.display_name;
  if (parts.length === 1 && folder.role === "inbox" && leaf.toUpperCase() === "INBOX") return "Inbox";
  return leaf;
}

/**
 * Builds one account's tree. Siblings sort by role (a parent ranks as its best descendant, so
 * "[Gmail]" sits among the special folders), then by name; the input order does not matter.
 */
export function buildTree(folders: readonly Folder[], accountId: number): FolderNode[] {
  const roots: FolderNode[] = [];
  const byPath = new Map<string, FolderNode>();

  for (const folder of folders) {
    if (folder.account_id !== accountId) continue;
    const parts = splitPath(folder.display_name, folder.delimiter);
    const sep = folder.delimiter || "/";
    let siblings = roots;
    let path = "";
    parts.forEach((part, depth) => {
      path = depth === 0 ? part : `${path}${sep}${part}`;
      let node = byPath.get(path);
      if (!node) {
        node = {
          key: `f:${accountId}:${path}`,
          accountId,
          path,
          name: part,
          depth,
          folder: null,
          selectable: false,
          role: "",
          unreadBelow: 0,
          children: [],
        };
        byPath.set(path, node);
        siblings.push(node);
      }
      if (depth === parts.length - 1) {
        node.folder = folder;
        node.selectable = folder.selectable;
        node.role = folder.role;
        node.name = folderLabel(folder);
      }
      siblings = node.children;
    });
  }

  const rank = new Map<FolderNode, number>();
  const finish = (nodes: FolderNode[]): void => {
    for (const n of nodes) {
      finish(n.children);
      let best = roleRank(n.role);
      let unread = n.folder?.unread ?? 0;
      for (const c of n.children) {
        best = Math.min(best, rank.get(c) ?? best);
        unread += c.unreadBelow;
      }
      rank.set(n, best);
      n.unreadBelow = unread;
    }
    nodes.sort(
      (a, b) =>
        (rank.get(a) ?? 0) - (rank.get(b) ?? 0) ||
        a.name.localeCompare(b.name, undefined, { sensitivity: "base" }) ||
        a.path.localeCompare(b.path),
    );
  };
  finish(roots);
  return roots;
}

/** The rows on screen: depth first, skipping the children of collapsed nodes. */
export function visibleNodes(roots: readonly FolderNode[], collapsed: ReadonlySet<string>): FolderNode[] {
  const out: FolderNode[] = [];
  const walk = (nodes: readonly FolderNode[]) => {
    for (const n of nodes) {
      out.push(n);
      if (n.children.length && !collapsed.has(n.key)) walk(n.children);
    }
  };
  walk(roots);
  return out;
}

/**
 * The folder after (`step` 1) or before (-1) `current` in `order`, not wrapping around.
 * An unknown `current` goes to the first entry.
 */
export function stepFolder<T>(order: readonly T[], current: T, step: 1 | -1): T | undefined {
  if (!order.length) return undefined;
  const i = order.indexOf(current);
  if (i < 0) return order[0];
  return order[Math.min(order.length - 1, Math.max(0, i + step))];
}
