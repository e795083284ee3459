// The accounts: loaded from the engine, added, changed and removed through the api.

import { api, type Account, type AccountConfig } from "./api";

class Accounts {
  list = $state.raw<Account[]>([]);
  loaded = $state(false);

  async load(): Promise<void> {
    this.list = await api.accounts();
    this.loaded = true;
  }

  byId(id: number): Account | undefined {
    return this.list.find((a) => a.id === id);
  }

  /** Tests the connection first; rejects with a UiError when it fails. */
  async add(config: AccountConfig, password: string): Promise<Account> {
    const account = await api.addAccount(config, password);
    await this.load();
    return account;
  }

  /** `password` null keeps the stored one. */
  async update(id: number, config: AccountConfig, password: string | null): Promise<Account> {
    const account = await api.updateAccount(id, config, password);
    await this.load();
    return account;
  }

  async remove(id: number): Promise<void> {
    await api.removeAccount(id);
    await this.load();
  }
}

export const accounts = new Accounts();
