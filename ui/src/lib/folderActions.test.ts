import { describe, expect, it } from "vitest";
import type { Folder } from "./api";
import { badName, leafName } from "./folderActions";

const folder = (display_name: string, delimiter = "/"): Folder => ({
  id: 1,
  account_id: 1,
  name: display_name,
  display_name,
  delimiter,
  role: "",
  subscribed: true,
  selectable: true,
  total: 0,
  unread: 0,
});

describe("folder names", () => {
  it("refuses empty names and the hierarchy delimiter", () => {
    expect(badName("  ", "/")).toMatch(/needs a name/);
    expect(badName("a/b", "/")).toMatch(/cannot contain "\/"/);
    expect(badName("Reisen 2026", "/")).toBeNull();
    expect(badName("a.b", "")).toBeNull();
  });
  it("renames the last path element", () => {
    expect(leafName(folder("Lists/rust"))).toBe("rust");
    expect(leafName(folder("Lists.rust", "."))).toBe("rust");
    expect(leafName(folder("Projects", ""))).toBe("Projects");
  });
});
