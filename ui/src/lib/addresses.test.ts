import { describe, expect, it } from "vitest";
import { completeToken, currentToken, formatList, parseAddress, parseList } from "./addresses";

describe("address lists", () => {
  it("parses names, quoted names with commas and bare addresses", () => {
    expect(parseList('Bob <bob@example.net>, "Doe, Jane" <jane@example.org>; carol@example.com')).toEqual({
      addresses: [
        { name: "Bob", email: "bob@example.net" },
        { name: "Doe, Jane", email: "jane@example.org" },
        { email: "carol@example.com" },
      ],
      invalid: [],
    });
  });
  it("reports what is not an address", () => {
    expect(parseList("bob, alice@example.org, <x>").invalid).toEqual(["bob", "<x>"]);
    expect(parseAddress("Jürgen Groß <juergen@example.de>")).toEqual({ name: "Jürgen Groß", email: "juergen@example.de" });
  });
  it("formats back, quoting names that need it, and round-trips", () => {
    const list = [{ name: "Doe, Jane", email: "jane@example.org" }, { email: "c@example.com" }, { name: "Bob", email: "b@example.net" }];
    const text = formatList(list);
    expect(text).toBe('"Doe, Jane" <jane@example.org>, c@example.com, Bob <b@example.net>');
    expect(parseList(text).addresses).toEqual(list);
  });
  it("finds the token being typed and completes it", () => {
    const text = "Bob <bob@example.net>, car";
    expect(currentToken(text, text.length)).toEqual({ start: 23, token: "car" });
    const done = completeToken(text, text.length, { name: "Carol", email: "carol@example.com" });
    expect(done.text).toBe("Bob <bob@example.net>, Carol <carol@example.com>, ");
    expect(done.caret).toBe(done.text.length);
    expect(currentToken('"Doe, Ja', 8).token).toBe('"Doe, Ja');
  });
});
