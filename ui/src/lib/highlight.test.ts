import { describe, expect, it } from "vitest";
import { splitMarks, stripMarks } from "./highlight";

describe("splitMarks", () => {
  it("splits matches from the text around them", () => {
    expect(splitMarks("the \u0002budget\u0003 review")).toEqual([
      { text: "the ", hit: false },
      { text: "budget", hit: true },
      { text: " review", hit: false },
    ]);
  });
  it("keeps markup as text and tolerates unbalanced markers", () => {
    expect(splitMarks("<b>\u0002x\u0003")).toEqual([
      { text: "<b>", hit: false },
      { text: "x", hit: true },
    ]);
    expect(splitMarks("a\u0003b\u0002c")).toEqual([
      { text: "a", hit: false },
      { text: "b", hit: false },
      { text: "c", hit: true },
    ]);
    expect(stripMarks("\u0002Zürich\u0003 trip")).toBe("Zürich trip");
    expect(splitMarks("")).toEqual([]);
  });
});
