// Picking several rows of the list: ctrl/cmd-click toggles one, shift-click takes the range from
// the anchor, a plain click starts again. Pure, so every gesture is tested; the ids of rows not
// loaded are unknown, so a range takes the loaded ones.

export type PickMode = "only" | "toggle" | "range";

export interface Picked {
  ids: number[];
  /** The row index a range starts from. */
  anchor: number | null;
}

export const NOTHING_PICKED: Picked = { ids: [], anchor: null };

/** The mode a click's modifier keys mean. */
export function modeOf(e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): PickMode {
  if (e.shiftKey) return "range";
  if (e.ctrlKey || e.metaKey) return "toggle";
  return "only";
}

/**
 * Picks row `index` (id `id`). `idAt` gives the id of a loaded row. In "toggle" mode, `current`
 * is the row under the cursor: the first ctrl-click keeps it picked, as file managers do.
 */
export function pick(
  state: Picked,
  index: number,
  id: number,
  mode: PickMode,
  idAt: (index: number) => number | undefined,
  current: { index: number; id: number } | null = null,
): Picked {
  switch (mode) {
    case "only":
      return { ids: [id], anchor: index };
    case "toggle": {
      let ids = state.ids;
      if (ids.length === 0 && current && current.id !== id) ids = [current.id];
      return { ids: ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id], anchor: index };
    }
    case "range": {
      const from = state.anchor ?? current?.index ?? index;
      const [a, b] = from <= index ? [from, index] : [index, from];
      const ids: number[] = [];
      for (let i = a; i <= b; i++) {
        const x = idAt(i);
        if (x !== undefined) ids.push(x);
      }
      return { ids, anchor: from };
    }
  }
}
