// Tests of the small formatting helpers.
import { describe, expect, it } from "vitest";
import { Flags } from "./api";
import { formatAddress, formatSize, isFlagged, isUnread, senderName, subjectOf, visible } from "./format";

describe("format", () => {
  it("names a sender by name, else by address", () => {
    expect(senderName({ name: "Alice", email: "a@x.org" })).toBe("Alice");
    expect(senderName({ name: "  ", email: "a@x.org" })).toBe("a@x.org");
    expect(senderName(null)).toBe("(unknown sender)");
    expect(formatAddress({ name: "Alice", email: "a@x.org" })).toBe("Alice <a@x.org>");
  });
  it("sizes attachments in bytes, KB and MB", () => {
    expect(formatSize(1)).toBe("1 byte");
    expect(formatSize(900)).toBe("900 bytes");
    expect(formatSize(12 * 1024 + 100)).toBe("12 KB");
    expect(formatSize(3.45 * 1024 * 1024)).toBe("3.5 MB");
    expect(formatSize(42 * 1024 * 1024)).toBe("42 MB");
  });
  it("reads flags", () => {
    expect(isUnread({ flags: 0 })).toBe(true);
    expect(isUnread({ flags: Flags.Seen | Flags.Flagged })).toBe(false);
    expect(isFlagged({ flags: Flags.Flagged })).toBe(true);
    expect(subjectOf("  ")).toBe("(no subject)");
  });
});

describe("header text from hostile senders", () => {
  it("loses bidirectional overrides and control characters", () => {
    expect(subjectOf("invoice\u202efdp.exe")).toBe("invoicefdp.exe");
    expect(visible("a\u2066b\u2069c\u0007d\u001b[31m")).toBe("abcd[31m");
    expect(senderName({ name: "\u202e", email: "x@y.example" })).toBe("x@y.example");
    expect(formatAddress({ name: "Bank\u202e", email: "m@evil.example" })).toBe("Bank <m@evil.example>");
  });
  it("keeps ordinary right-to-left text", () => {
    expect(subjectOf("שלום עולם")).toBe("שלום עולם");
  });
});
