// Folder management from the tree: new folder, rename, delete (asking first, and again when it
// holds mail), subscribe and unsubscribe. Each asks through the confirmation dialog, then calls
// the engine; the tree follows from its folders-changed event.

import { actions } from "./actions.svelte";
import { api, asUiError, type Folder } from "./api";

/** Names a folder may not have: the server's delimiter inside one name makes a hierarchy. */
export function badName(name: string, delimiter: string): string | null {
  const n = name.trim();
  if (!n) return "A folder needs a name.";
  if (delimiter && n.includes(delimiter)) return `A folder name cannot contain "${delimiter}".`;
  return null;
}

/** The last path element: what a folder is called inside its parent. */
export function leafName(f: Folder): string {
  if (!f.delimiter) return f.display_name;
  const parts = f.display_name.split(f.delimiter);
  return parts[parts.length - 1] ?? f.display_name;
}

function check(name: string, delimiter: string): void {
  const bad = badName(name, delimiter);
  if (bad) throw { kind: "config", message: bad };
}

export function createFolder(accountId: number, parent: Folder | null): void {
  actions.ask({
    title: parent ? `New folder in ${parent.display_name}` : "New folder",
    detail: "",
    confirm: "Create",
    input: { label: "Name", value: "" },
    run: async (name) => {
      check(name, parent?.delimiter ?? "");
      await api.folderCreate(accountId, parent?.id ?? null, name);
    },
  });
}

export function renameFolder(f: Folder): void {
  actions.ask({
    title: `Rename ${f.display_name}`,
    detail: "",
    confirm: "Rename",
    input: { label: "New name", value: leafName(f) },
    run: async (name) => {
      check(name, f.delimiter);
      await api.folderRename(f.id, name);
    },
  });
}

export function deleteFolder(f: Folder): void {
  const withMail = f.total > 0;
  actions.ask({
    title: `Delete ${f.display_name}?`,
    detail: withMail
      ? `It holds ${f.total} ${f.total === 1 ? "message" : "messages"}, which will be deleted from the server with it. This cannot be undone.`
      : "The empty folder will be deleted from the server.",
    confirm: "Delete folder",
    danger: true,
    run: async () => {
      await api.folderDelete(f.id, withMail);
    },
  });
}

export async function setSubscribed(f: Folder, subscribed: boolean): Promise<void> {
  try {
    await api.folderSubscribe(f.id, subscribed);
  } catch (e) {
    actions.error = asUiError(e);
  }
}
