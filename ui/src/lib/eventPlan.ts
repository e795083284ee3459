// Decides what a batch of engine events means for what is on screen: which stores re-query and
// which local facts change. Events carry ids only; the UI re-queries, once per batch.

import type { EngineEvent, FolderKey, UiError } from "./api";

export interface EventPlan {
  /** Re-query the shown list's count and visible pages. */
  refreshList: boolean;
  /** Some mail changed, in any folder (conversations and search results span folders). */
  messagesTouched: boolean;
  /** Re-query what waits for the server and what it refused. */
  reloadPending: boolean;
  /** Re-query the outbox. */
  reloadOutbox: boolean;
  /** Re-query the folder list. */
  reloadFolders: boolean;
  /** The engine lost track of what it told us: re-query everything. */
  resyncAll: boolean;
  counts: { folder: number; total: number; unread: number }[];
  syncStates: { account: number; syncing: boolean; online: boolean }[];
  errors: { account: number; error: UiError }[];
  progress: { account: number; folder: number; done: number; total: number }[];
  /** Messages that are gone (the reader may be showing one). */
  removed: number[];
}

/**
 * `shown` is the folder on screen (null: the unified inbox); `isInbox` says whether a folder is an
 * inbox, or undefined when the folder is not known yet (counted as one, to miss nothing).
 */
export function planEvents(
  events: readonly EngineEvent[],
  shown: FolderKey,
  isInbox: (folder: number) => boolean | undefined,
): EventPlan {
  const plan: EventPlan = {
    refreshList: false,
    messagesTouched: false,
    reloadPending: false,
    reloadOutbox: false,
    reloadFolders: false,
    resyncAll: false,
    counts: [],
    syncStates: [],
    errors: [],
    progress: [],
    removed: [],
  };
  const concerns = (folder: number) => (shown === null ? isInbox(folder) !== false : folder === shown);

  for (const e of events) {
    switch (e.type) {
      case "messages-added":
      case "messages-changed":
        plan.messagesTouched = true;
        if (concerns(e.folder)) plan.refreshList = true;
        break;
      case "messages-removed":
        plan.messagesTouched = true;
        if (concerns(e.folder)) plan.refreshList = true;
        plan.removed.push(...e.ids);
        break;
      case "folder-counts":
        plan.counts.push({ folder: e.folder, total: e.total, unread: e.unread });
        if (concerns(e.folder)) plan.refreshList = true;
        break;
      case "folders-changed":
        plan.reloadFolders = true;
        break;
      case "sync-state":
        plan.syncStates.push({ account: e.account, syncing: e.syncing, online: e.online });
        break;
      case "account-error":
        plan.errors.push({ account: e.account, error: e.error });
        break;
      case "sync-progress":
        plan.progress.push({ account: e.account, folder: e.folder, done: e.done, total: e.total });
        break;
      case "resync-all":
        plan.resyncAll = true;
        plan.refreshList = true;
        plan.messagesTouched = true;
        plan.reloadFolders = true;
        break;
      case "pending-changed":
      case "action-failed":
        plan.reloadPending = true;
        break;
      case "outbox-changed":
      case "send-failed":
        plan.reloadOutbox = true;
        break;
      case "drafts-changed":
        break;
      case "new-mail":
        // The shell notifies; the list learns of the mail from messages-added.
        break;
    }
  }
  return plan;
}
