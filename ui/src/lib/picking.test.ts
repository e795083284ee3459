import { describe, expect, it } from "vitest";
import { modeOf, NOTHING_PICKED, pick } from "./picking";

const idAt = (i: number) => (i >= 0 && i < 100 && i !== 5 ? 1000 + i : undefined);

describe("pick", () => {
  it("a plain click picks one row and sets the anchor", () => {
    expect(pick({ ids: [1, 2], anchor: 3 }, 7, 1007, "only", idAt)).toEqual({ ids: [1007], anchor: 7 });
  });

  it("ctrl-click toggles, keeping the cursor's row on the first one", () => {
    let p = pick(NOTHING_PICKED, 4, 1004, "toggle", idAt, { index: 2, id: 1002 });
    expect(p.ids).toEqual([1002, 1004]);
    p = pick(p, 2, 1002, "toggle", idAt);
    expect(p.ids).toEqual([1004]);
    p = pick(p, 4, 1004, "toggle", idAt);
    expect(p.ids).toEqual([]);
  });

  it("shift-click takes the loaded rows between the anchor and the click, both ways", () => {
    let p = pick(NOTHING_PICKED, 3, 1003, "only", idAt);
    p = pick(p, 7, 1007, "range", idAt);
    expect(p.ids).toEqual([1003, 1004, 1006, 1007]); // row 5 is not loaded
    expect(p.anchor).toBe(3);
    p = pick(p, 1, 1001, "range", idAt);
    expect(p.ids).toEqual([1001, 1002, 1003]);
  });

  it("a first shift-click ranges from the cursor", () => {
    const p = pick(NOTHING_PICKED, 2, 1002, "range", idAt, { index: 0, id: 1000 });
    expect(p.ids).toEqual([1000, 1001, 1002]);
  });

  it("maps modifier keys to modes", () => {
    expect(modeOf({ shiftKey: true, ctrlKey: true, metaKey: false })).toBe("range");
    expect(modeOf({ shiftKey: false, ctrlKey: false, metaKey: true })).toBe("toggle");
    expect(modeOf({ shiftKey: false, ctrlKey: false, metaKey: false })).toBe("only");
  });
});
