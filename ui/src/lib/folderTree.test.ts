// Tests of folder tree building: delimiters, missing parents, role order, collapse, stepping.
import { describe, expect, it } from "vitest";
import type { Folder, Role } from "./api";
import { buildTree, folderLabel, splitPath, stepFolder, visibleNodes } from "./folderTree";

let nextId = 1;
function folder(display_name: string, opts: Partial<Folder> & { role?: Role } = {}): Folder {
  return {
    id: nextId++,
    account_id: 1,
    name: display_name,
    display_name,
    delimiter: "/",
    role: "",
    subscribed: true,
    selectable: true,
    total: 0,
    unread: 0,
    ...opts,
  };
}

const names = (nodes: { name: string }[]) => nodes.map((n) => n.name);

describe("splitPath", () => {
  it("splits on the delimiter and ignores empty components", () => {
    expect(splitPath("Lists.rust.announce", ".")).toEqual(["Lists", "rust", "announce"]);
    expect(splitPath("a//b/", "/")).toEqual(["a", "b"]);
  });
  it("keeps a flat name whole", () => {
    expect(splitPath("Lists/rust", "")).toEqual(["Lists/rust"]);
  });
});

describe("buildTree", () => {
  it("nests folders by their delimiter", () => {
    const tree = buildTree([folder("INBOX", { role: "inbox", delimiter: "." }), folder("INBOX.Receipts", { delimiter: "." })], 1);
    expect(names(tree)).toEqual(["Inbox"]);
    expect(names(tree[0]!.children)).toEqual(["Receipts"]);
    expect(tree[0]!.children[0]!.depth).toBe(1);
    expect(tree[0]!.children[0]!.path).toBe("INBOX.Receipts");
  });

  it("creates unselectable parents the server did not list", () => {
    const tree = buildTree([folder("Lists/rust/announce")], 1);
    const lists = tree[0]!;
    expect(lists.name).toBe("Lists");
    expect(lists.folder).toBeNull();
    expect(lists.selectable).toBe(false);
    const rust = lists.children[0]!;
    expect(rust.folder).toBeNull();
    expect(rust.children[0]!.folder?.display_name).toBe("Lists/rust/announce");
    expect(rust.children[0]!.selectable).toBe(true);
  });

  it("fills in a parent that is listed after its child", () => {
    const parent = folder("Work", { selectable: false });
    const tree = buildTree([folder("Work/2024"), parent], 1);
    expect(tree).toHaveLength(1);
    expect(tree[0]!.folder).toBe(parent);
    expect(tree[0]!.selectable).toBe(false);
    expect(tree[0]!.children).toHaveLength(1);
  });

  it("puts special-use folders first in role order, then the rest by name", () => {
    const tree = buildTree(
      [
        folder("zebra"),
        folder("Trash", { role: "trash" }),
        folder("Apple"),
        folder("Sent Items", { role: "sent" }),
        folder("INBOX", { role: "inbox" }),
        folder("Drafts", { role: "drafts" }),
      ],
      1,
    );
    expect(names(tree)).toEqual(["Inbox", "Drafts", "Sent Items", "Trash", "Apple", "zebra"]);
  });

  it("ranks a container by its best descendant, as Gmail's [Gmail] folder", () => {
    const tree = buildTree(
      [
        folder("INBOX", { role: "inbox" }),
        folder("Archive2019"),
        folder("[Gmail]", { selectable: false }),
        folder("[Gmail]/Sent Mail", { role: "sent" }),
        folder("[Gmail]/All Mail", { role: "all" }),
      ],
      1,
    );
    expect(names(tree)).toEqual(["Inbox", "[Gmail]", "Archive2019"]);
    expect(names(tree[1]!.children)).toEqual(["Sent Mail", "All Mail"]);
  });

  it("keeps only the given account's folders", () => {
    const tree = buildTree([folder("INBOX", { role: "inbox" }), folder("Other", { account_id: 2 })], 1);
    expect(names(tree)).toEqual(["Inbox"]);
  });

  it("sums unread mail below each node", () => {
    const tree = buildTree([folder("A", { unread: 1 }), folder("A/B", { unread: 2 }), folder("A/B/C", { unread: 4 })], 1);
    expect(tree[0]!.unreadBelow).toBe(7);
    expect(tree[0]!.children[0]!.unreadBelow).toBe(6);
  });

  it("gives stable keys from the account and path", () => {
    const tree = buildTree([folder("A/B")], 1);
    expect(tree[0]!.key).toBe("f:1:A");
    expect(tree[0]!.children[0]!.key).toBe("f:1:A/B");
  });
});

describe("folderLabel", () => {
  it("names the inbox for people and other folders by their leaf", () => {
    expect(folderLabel({ display_name: "INBOX", delimiter: "/", role: "inbox" })).toBe("Inbox");
    expect(folderLabel({ display_name: "Lists/rust", delimiter: "/", role: "" })).toBe("rust");
  });
});

describe("visibleNodes", () => {
  it("hides the children of collapsed nodes, depth first", () => {
    const tree = buildTree([folder("A"), folder("A/B"), folder("A/B/C"), folder("D")], 1);
    expect(visibleNodes(tree, new Set()).map((n) => n.path)).toEqual(["A", "A/B", "A/B/C", "D"]);
    expect(visibleNodes(tree, new Set(["f:1:A/B"])).map((n) => n.path)).toEqual(["A", "A/B", "D"]);
    expect(visibleNodes(tree, new Set(["f:1:A"])).map((n) => n.path)).toEqual(["A", "D"]);
  });
});

describe("stepFolder", () => {
  const order = [null, 3, 5, 9];
  it("moves forward and back without wrapping", () => {
    expect(stepFolder(order, 3, 1)).toBe(5);
    expect(stepFolder(order, 3, -1)).toBeNull();
    expect(stepFolder(order, 9, 1)).toBe(9);
    expect(stepFolder(order, null, -1)).toBeNull();
  });
  it("starts at the first folder from an unknown one", () => {
    expect(stepFolder(order, 42, 1)).toBeNull();
    expect(stepFolder([], 1, 1)).toBeUndefined();
  });
});
