// Preferences of the writing side: the undo-send delay and each account's signature. Kept in the
// shell's UI state (with the last folder and message), so they survive restarts.

import { api, type UiState } from "./api";

/** The delays the user can choose for undo send, in seconds. */
export const SEND_DELAYS = [0, 5, 10, 30] as const;

class Prefs {
  sendDelay = $state<number>(10);
  signatures = $state<Record<string, string>>({});

  /** Takes the saved preferences from the UI state loaded at start. */
  load(state: UiState): void {
    const d = Number(state.send_delay);
    this.sendDelay = SEND_DELAYS.includes(d as (typeof SEND_DELAYS)[number]) ? d : 10;
    this.signatures = state.signatures && typeof state.signatures === "object" ? { ...state.signatures } : {};
  }

  signature(account: number): string {
    return this.signatures[String(account)] ?? "";
  }

  /** What to merge into the UI state when saving it. */
  toState(): Pick<UiState, "send_delay" | "signatures"> {
    return { send_delay: this.sendDelay, signatures: this.signatures };
  }

  async save(get: () => UiState): Promise<void> {
    await api.saveUiState({ ...get(), ...this.toState() });
  }
}

export const prefs = new Prefs();
