import { describe, expect, it } from "vitest";
import type { Link } from "./api";
import { decide, parseLinkRef, textLink } from "./links";

const link = (over: Partial<Link>): Link => ({
  href: "https://bank.example/",
  scheme: "https",
  action: "browse",
  text: "Bank",
  target_host: "bank.example",
  shown_host: "",
  ...over,
});

describe("link references", () => {
  it("name a message and an index", () => {
    expect(parseLinkRef("https://link.tern.invalid/42/3")).toEqual({ message: 42, index: 3 });
  });
  it("are nothing else", () => {
    for (const url of [
      "https://link.tern.invalid/42",
      "https://link.tern.invalid/42/3/4",
      "https://link.tern.invalid/a/1",
      "https://link.tern.invalid/1/1?x",
      "http://link.tern.invalid/1/1",
      "https://evil.example/https://link.tern.invalid/1/1",
      "javascript:1",
    ]) {
      expect(parseLinkRef(url), url).toBeNull();
    }
  });
});

describe("deciding a click", () => {
  it("opens an honest web link", () => {
    expect(decide(link({}))).toEqual({ kind: "open", url: "https://bank.example/" });
  });
  it("asks first when the text shows another host", () => {
    const d = decide(link({ href: "https://evil.example/x", target_host: "evil.example", shown_host: "bank.example" }));
    expect(d).toMatchObject({ kind: "confirm", url: "https://evil.example/x", shown: "bank.example" });
  });
  it("writes a message for mailto", () => {
    const mailto = { to: ["bob@x.example"], cc: [], subject: "Hi", body: "" };
    expect(decide(link({ href: "mailto:bob@x.example", scheme: "mailto", action: "compose", mailto }))).toEqual({
      kind: "compose",
      url: "mailto:bob@x.example",
      mailto,
    });
  });
  it("refuses other schemes, and links it cannot find, with a reason", () => {
    const d = decide(link({ href: "file:///etc/passwd", scheme: "file", action: "refuse" }));
    expect(d.kind).toBe("refuse");
    expect(d.kind === "refuse" && d.reason).toContain("“file:”");
    expect(decide(null).kind).toBe("refuse");
    expect(decide(undefined).kind).toBe("refuse");
  });
});

describe("plain-text links", () => {
  it("are classified by scheme and never flagged", () => {
    expect(textLink("https://x.example/").action).toBe("browse");
    expect(textLink("MAILTO:a@x.example").action).toBe("compose");
    expect(textLink("file:///x").action).toBe("refuse");
    expect(textLink("https://x.example/").shown_host).toBe("");
  });
});
