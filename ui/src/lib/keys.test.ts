// Tests of the keyboard map: every binding, text fields, the g-prefix and its timeout.
import { describe, expect, it } from "vitest";
import { G_TIMEOUT_MS, SHORTCUTS, mapKey, type KeyPress, type KeyTarget } from "./keys";

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});
const list: KeyTarget = { editable: false, interactive: false, inReader: false };
const action = (key: string, target: KeyTarget = list, mods: Partial<KeyPress> = {}) => mapKey(press(key, mods), target, null, 0).action;

describe("mapKey", () => {
  it("moves with j/k and the arrow keys", () => {
    expect(action("j")).toBe("next");
    expect(action("ArrowDown")).toBe("next");
    expect(action("k")).toBe("previous");
    expect(action("ArrowUp")).toBe("previous");
  });

  it("leaves arrow keys to scroll the reader, but j/k still move", () => {
    const reader = { ...list, inReader: true };
    expect(action("ArrowDown", reader)).toBeNull();
    expect(action("j", reader)).toBe("next");
  });

  it("opens with Enter and o, except Enter on a button or link", () => {
    expect(action("Enter")).toBe("open");
    expect(action("o")).toBe("open");
    expect(action("Enter", { ...list, interactive: true })).toBeNull();
  });

  it("searches with /, stars with s, marks read and unread with Shift I / Shift U", () => {
    expect(action("/")).toBe("search");
    expect(action("s")).toBe("star");
    expect(action("I", list, { shiftKey: true })).toBe("markRead");
    expect(action("U", list, { shiftKey: true })).toBe("markUnread");
    // Typed into the search box, they are text.
    expect(action("/", { ...list, editable: true })).toBeNull();
    expect(action("s", { ...list, editable: true })).toBeNull();
  });

  it("acts on mail: e archive, # and Delete delete, ! junk, v move, V copy, x picks, z undoes", () => {
    expect(action("e")).toBe("archive");
    expect(action("#")).toBe("delete");
    expect(action("Delete")).toBe("delete");
    expect(action("!")).toBe("junk");
    expect(action("v")).toBe("move");
    expect(action("V", list, { shiftKey: true })).toBe("copy");
    expect(action("x")).toBe("pick");
    expect(action("z")).toBe("undo");
    expect(action("ArrowDown", list, { shiftKey: true })).toBe("pickNext");
    expect(action("ArrowUp", list, { shiftKey: true })).toBe("pickPrevious");
    expect(action("Delete", { ...list, editable: true })).toBeNull();
  });

  it("writes: c new message, r reply, a reply all, f forward", () => {
    expect(action("c")).toBe("compose");
    expect(action("r")).toBe("reply");
    expect(action("a")).toBe("replyAll");
    expect(action("f")).toBe("forward");
    expect(action("F", list, { shiftKey: true })).toBe("forwardAttachment");
    expect(action("r", { ...list, editable: true })).toBeNull();
  });

  it("goes back with u and Escape", () => {
    expect(action("u")).toBe("back");
    expect(action("Escape")).toBe("back");
  });

  it("steps through folders with [ and ] and shows help with ?", () => {
    expect(action("[")).toBe("previousFolder");
    expect(action("]")).toBe("nextFolder");
    expect(action("?", list, { shiftKey: true })).toBe("help");
  });

  it("goes to the unified inbox with g then i, within the time limit", () => {
    const g = mapKey(press("g"), list, null, 1000);
    expect(g).toEqual({ action: null, pendingG: 1000 });
    expect(mapKey(press("i"), list, g.pendingG, 1000 + G_TIMEOUT_MS)).toEqual({ action: "unified", pendingG: null });
    expect(mapKey(press("i"), list, g.pendingG, 1001 + G_TIMEOUT_MS).action).toBeNull();
  });

  it("lets another key after g count on its own", () => {
    expect(mapKey(press("j"), list, 1000, 1100)).toEqual({ action: "next", pendingG: null });
  });

  it("syncs with Ctrl+R, Cmd+R and F5, even in a text field", () => {
    const field = { ...list, editable: true };
    expect(action("r", list, { ctrlKey: true })).toBe("sync");
    expect(action("R", list, { ctrlKey: true, shiftKey: true })).toBe("sync");
    expect(action("r", list, { metaKey: true })).toBe("sync");
    expect(action("F5")).toBe("sync");
    expect(action("r", field, { ctrlKey: true })).toBe("sync");
  });

  it("takes r as reply, but leaves R (a mistyped Shift) unbound", () => {
    expect(action("r")).toBe("reply");
    expect(action("R", list, { shiftKey: true })).toBeNull();
  });

  it("ignores everything else while typing", () => {
    const field = { ...list, editable: true };
    for (const k of ["j", "k", "o", "Enter", "u", "Escape", "[", "]", "?", "g", "ArrowDown"]) {
      expect(action(k, field)).toBeNull();
    }
    expect(mapKey(press("g"), field, null, 0).pendingG).toBeNull();
  });

  it("leaves other modified keys to the system", () => {
    expect(action("j", list, { ctrlKey: true })).toBeNull();
    expect(action("[", list, { altKey: true })).toBeNull();
  });

  it("documents every action in the help table", () => {
    const documented = new Set(SHORTCUTS.map((s) => s.action));
    for (const a of ["next", "previous", "open", "back", "unified", "previousFolder", "nextFolder", "help", "sync"] as const) {
      expect(documented.has(a)).toBe(true);
    }
  });
});
