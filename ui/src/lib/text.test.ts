// Tests of linkify (only http, https and mailto) and quote splitting.
import { describe, expect, it } from "vitest";
import { linkify, safeLink, splitQuotes, type Block } from "./text";

const links = (s: string) => linkify(s).filter((t) => t.kind === "link").map((t) => (t.kind === "link" ? t.href : ""));

describe("linkify", () => {
  it("finds http, https and mailto links in text", () => {
    expect(linkify("see https://example.org/a?b=1 now")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.org/a?b=1", href: "https://example.org/a?b=1" },
      { kind: "text", text: " now" },
    ]);
    expect(links("HTTP://EXAMPLE.ORG and mailto:bob@example.org")).toEqual(["HTTP://EXAMPLE.ORG", "mailto:bob@example.org"]);
  });

  it("never links javascript:, data:, file: or other schemes", () => {
    expect(links("javascript:alert(1) data:text/html,<b>x</b> file:///etc/passwd ftp://x.org")).toEqual([]);
    expect(linkify("javascript:alert(1)")).toEqual([{ kind: "text", text: "javascript:alert(1)" }]);
  });

  it("does not take a scheme glued to the end of a word", () => {
    expect(links("xhttps://evil.example")).toEqual([]);
  });

  it("leaves sentence punctuation out of the link", () => {
    expect(links("Go to https://example.org/x.")).toEqual(["https://example.org/x"]);
    expect(links("(see https://example.org/x), then")).toEqual(["https://example.org/x"]);
    expect(links('"https://example.org/q?a=1"!')).toEqual(["https://example.org/q?a=1"]);
  });

  it("keeps balanced parentheses that belong to the URL", () => {
    expect(links("https://en.wikipedia.org/wiki/Tern_(bird) is nice")).toEqual(["https://en.wikipedia.org/wiki/Tern_(bird)"]);
  });

  it("stops at angle brackets and quotes", () => {
    expect(links("<https://example.org/a>")).toEqual(["https://example.org/a"]);
  });

  it("ignores a bare scheme", () => {
    expect(links("https:// and mailto: alone")).toEqual([]);
  });

  it("keeps all the text, in order", () => {
    const s = "a https://x.org/1 b mailto:c@d.org e";
    expect(linkify(s).map((t) => t.text).join("")).toBe(s);
  });
});

describe("safeLink", () => {
  it("accepts only http, https and mailto", () => {
    expect(safeLink("https://example.org")).toBe("https://example.org");
    expect(safeLink("mailto:a@b.org")).toBe("mailto:a@b.org");
    expect(safeLink("javascript:alert(1)")).toBeNull();
    expect(safeLink("vbscript:x")).toBeNull();
    expect(safeLink("not a url")).toBeNull();
  });
});

describe("splitQuotes", () => {
  it("returns plain text as one block", () => {
    expect(splitQuotes("Hello\nworld")).toEqual([{ kind: "text", text: "Hello\nworld" }]);
  });

  it("separates quoted runs and strips one level of '>'", () => {
    const blocks = splitQuotes("Yes.\n\nOn Monday Bob wrote:\n> Shall we?\n> Soon.\nThanks");
    expect(blocks).toEqual<Block[]>([
      { kind: "text", text: "Yes.\n\nOn Monday Bob wrote:" },
      { kind: "quote", lines: 2, blocks: [{ kind: "text", text: "Shall we?\nSoon." }] },
      { kind: "text", text: "Thanks" },
    ]);
  });

  it("nests deeper quotes", () => {
    const blocks = splitQuotes("> a\n>> b\n> > c\n> d");
    expect(blocks).toEqual<Block[]>([
      {
        kind: "quote",
        lines: 4,
        blocks: [
          { kind: "text", text: "a" },
          { kind: "quote", lines: 2, blocks: [{ kind: "text", text: "b\nc" }] },
          { kind: "text", text: "d" },
        ],
      },
    ]);
  });

  it("handles CRLF line ends and a bare '>'", () => {
    expect(splitQuotes("x\r\n>\r\n> y")).toEqual<Block[]>([
      { kind: "text", text: "x" },
      { kind: "quote", lines: 2, blocks: [{ kind: "text", text: "\ny" }] },
    ]);
  });

  it("does not treat '>' inside a line as a quote", () => {
    expect(splitQuotes("a > b")).toEqual([{ kind: "text", text: "a > b" }]);
  });
});
