// What the middle pane lists: a folder's messages, its conversations, or search results (local
// hits, then what a server search added). Each source counts its rows and loads a page of them.

import { api, type FolderKey, type MessageSummary, type SearchHit, type ThreadSummary } from "./api";

export type ListRow =
  | { kind: "message"; id: number; message: MessageSummary; hit: SearchHit | null }
  | { kind: "thread"; id: number; thread: ThreadSummary };

export type ListMode = "messages" | "threads" | "search";

export interface ListSource {
  mode: ListMode;
  count(): Promise<number>;
  page(offset: number, limit: number): Promise<ListRow[]>;
}

export function messageRow(message: MessageSummary, hit: SearchHit | null = null): ListRow {
  return { kind: "message", id: message.id, message, hit };
}

export function threadRow(thread: ThreadSummary): ListRow {
  return { kind: "thread", id: thread.id, thread };
}

export function folderSource(folder: FolderKey): ListSource {
  return {
    mode: "messages",
    count: () => api.messageCount(folder),
    page: async (offset, limit) => (await api.messages(folder, offset, limit)).map((m) => messageRow(m)),
  };
}

export function threadSource(folder: FolderKey): ListSource {
  return {
    mode: "threads",
    count: () => api.threadCount(folder),
    page: async (offset, limit) => (await api.threads(folder, offset, limit)).map(threadRow),
  };
}

/**
 * Local hits first (best first, paged from the index), then the hits only a server search
 * found (`server`, already without the local ones), newest first.
 */
export function searchSource(
  query: string,
  folder: FolderKey,
  everywhere: boolean,
  server: readonly SearchHit[],
): ListSource {
  let local = -1;
  const localCount = async () => {
    if (local < 0) local = await api.searchCount(query, folder, everywhere);
    return local;
  };
  return {
    mode: "search",
    count: async () => {
      // A refresh counts again: mail may have arrived or gone.
      local = -1;
      return (await localCount()) + server.length;
    },
    page: async (offset, limit) => {
      const n = await localCount();
      const rows: ListRow[] = [];
      if (offset < n) {
        const hits = await api.search(query, folder, everywhere, offset, Math.min(limit, n - offset));
        rows.push(...hits.map((h) => messageRow(h.message, h)));
      }
      const from = Math.max(0, offset - n);
      const to = Math.max(0, offset + limit - n);
      rows.push(...server.slice(from, to).map((h) => messageRow(h.message, h)));
      return rows;
    },
  };
}
