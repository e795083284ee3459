// The folders of every account, their trees, unread counts and which nodes are collapsed
// (remembered in localStorage, by path, so it survives re-syncs).

import { SvelteSet } from "svelte/reactivity";
import { api, type Folder, type FolderKey } from "./api";
import { accountKey, buildTree, folderLabel, visibleNodes, type FolderNode } from "./folderTree";

const COLLAPSED_KEY = "tern.folders.collapsed";

function loadCollapsed(): string[] {
  try {
    const raw = globalThis.localStorage?.getItem(COLLAPSED_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === "string") : [];
  } catch {
    return [];
  }
}

class Folders {
  list = $state.raw<Folder[]>([]);
  loaded = $state(false);
  readonly collapsed = new SvelteSet<string>(loadCollapsed());

  readonly byId = $derived(new Map(this.list.map((f) => [f.id, f])));

  /** Each account's tree, by account id. */
  readonly trees = $derived.by(() => {
    const ids = new Set(this.list.map((f) => f.account_id));
    return new Map([...ids].map((id) => [id, buildTree(this.list, id)]));
  });

  /** Unread mail across every inbox: the unified inbox's count. */
  readonly unifiedUnread = $derived(this.list.reduce((n, f) => (f.role === "inbox" ? n + f.unread : n), 0));

  async load(): Promise<void> {
    this.list = await api.folders();
    this.loaded = true;
  }

  tree(accountId: number): FolderNode[] {
    return this.trees.get(accountId) ?? [];
  }

  /** Whether a folder is an inbox; undefined for a folder not known (yet). */
  isInbox(id: number): boolean | undefined {
    const f = this.byId.get(id);
    return f ? f.role === "inbox" : undefined;
  }

  /** A count event: update in place rather than re-query the list. */
  applyCounts(id: number, total: number, unread: number): void {
    const f = this.byId.get(id);
    if (!f || (f.total === total && f.unread === unread)) return;
    this.list = this.list.map((x) => (x.id === id ? { ...x, total, unread } : x));
  }

  /** What a folder is called on screen. */
  label(key: FolderKey): string {
    if (key === null) return "Unified inbox";
    const f = this.byId.get(key);
    return f ? folderLabel(f) : "this folder";
  }

  isCollapsed(key: string): boolean {
    return this.collapsed.has(key);
  }

  toggle(key: string): void {
    if (this.collapsed.has(key)) this.collapsed.delete(key);
    else this.collapsed.add(key);
    try {
      globalThis.localStorage?.setItem(COLLAPSED_KEY, JSON.stringify([...this.collapsed]));
    } catch {
      // Private mode or full storage: the tree just forgets, which is harmless.
    }
  }

  /** One account's folders in tree order, collapsed ones included (for pickers). */
  of(accountId: number): Folder[] {
    return visibleNodes(this.tree(accountId), new Set<string>()).flatMap((n) => (n.folder ? [n.folder] : []));
  }

  /** The rows of one account's tree on screen. */
  visible(accountId: number): FolderNode[] {
    if (this.collapsed.has(accountKey(accountId))) return [];
    return visibleNodes(this.tree(accountId), this.collapsed);
  }

  /** The folders "[" and "]" step through: the unified inbox, then each visible selectable folder. */
  navigationOrder(accountIds: readonly number[]): FolderKey[] {
    const order: FolderKey[] = [null];
    for (const id of accountIds) {
      for (const n of this.visible(id)) if (n.selectable && n.folder) order.push(n.folder.id);
    }
    return order;
  }
}

export const folders = new Folders();
