// Each account's connection state (online, syncing, last error, sync progress), from
// api.status() at start and the sync-state / account-error / sync-progress events after.

import { api, type UiError } from "./api";

export interface AccountState {
  online: boolean;
  syncing: boolean;
  error: UiError | null;
  progress: { folder: number; done: number; total: number } | null;
}

const initial = (): AccountState => ({ online: false, syncing: false, error: null, progress: null });

class Status {
  byAccount = $state<Record<number, AccountState>>({});

  async load(): Promise<void> {
    const next: Record<number, AccountState> = {};
    for (const s of await api.status()) {
      next[s.account] = { online: s.online, syncing: s.syncing, error: s.error, progress: null };
    }
    this.byAccount = next;
  }

  get(account: number): AccountState {
    return this.byAccount[account] ?? initial();
  }

  private entry(account: number): AccountState {
    return (this.byAccount[account] ??= initial());
  }

  setSync(account: number, syncing: boolean, online: boolean): void {
    const s = this.entry(account);
    s.syncing = syncing;
    s.online = online;
    // Being connected again means the last failure is over.
    if (online) s.error = null;
    if (!syncing) s.progress = null;
  }

  setError(account: number, error: UiError): void {
    const s = this.entry(account);
    s.error = error;
    s.syncing = false;
    s.progress = null;
  }

  setProgress(account: number, folder: number, done: number, total: number): void {
    this.entry(account).progress = done < total ? { folder, done, total } : null;
  }

  forget(account: number): void {
    delete this.byAccount[account];
  }
}

export const status = new Status();
