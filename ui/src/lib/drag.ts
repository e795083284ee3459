// Dragging messages onto folders: the data type rows put on the drag, and reading it back at the
// drop. Only our own drags carry it, so files or text dropped on a folder do nothing.

import type { Targets } from "./selection.svelte";

export const DRAG_TYPE = "application/x-tern-messages";

/** Whether a drag carries messages (its data is readable only at the drop). */
export function carriesMessages(types: readonly string[] | DOMStringList | undefined): boolean {
  if (!types) return false;
  return Array.from(types as ArrayLike<string>).includes(DRAG_TYPE);
}

/** The messages and conversations a drop carries, or null for anything else. */
export function droppedTargets(data: string): Targets | null {
  try {
    const v: unknown = JSON.parse(data);
    if (!v || typeof v !== "object") return null;
    const { ids, threadIds } = v as Record<string, unknown>;
    const numbers = (x: unknown) => Array.isArray(x) && x.every((n) => Number.isInteger(n));
    if (!numbers(ids) || !numbers(threadIds)) return null;
    return { ids: ids as number[], threadIds: threadIds as number[] };
  } catch {
    return null;
  }
}
