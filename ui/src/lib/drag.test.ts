import { describe, expect, it } from "vitest";
import { carriesMessages, droppedTargets, DRAG_TYPE } from "./drag";

describe("drag data", () => {
  it("recognizes our drags only", () => {
    expect(carriesMessages([DRAG_TYPE, "text/plain"])).toBe(true);
    expect(carriesMessages(["Files"])).toBe(false);
    expect(carriesMessages(undefined)).toBe(false);
  });
  it("reads back what a row put on the drag, and nothing else", () => {
    expect(droppedTargets('{"ids":[1,2],"threadIds":[]}')).toEqual({ ids: [1, 2], threadIds: [] });
    expect(droppedTargets('{"ids":["1"],"threadIds":[]}')).toBeNull();
    expect(droppedTargets("file:///etc/passwd")).toBeNull();
    expect(droppedTargets("null")).toBeNull();
  });
});
