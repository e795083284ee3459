// Tests of error sentences, by error kind.
import { describe, expect, it } from "vitest";
import { asSentence, errorSentence } from "./errors";

describe("errorSentence", () => {
  it("says what an authentication failure means", () => {
    expect(errorSentence({ kind: "auth", message: "LOGIN failed" }, "imap.example.org")).toBe(
      "The server rejected the user name or password.",
    );
  });
  it("names the host that could not be reached", () => {
    expect(errorSentence({ kind: "network", message: "connection refused" }, "imap.example.org")).toBe(
      "Could not reach imap.example.org: connection refused.",
    );
    expect(errorSentence({ kind: "timeout", message: "no answer in 30 s" }, "h")).toBe("Could not reach h: no answer in 30 s.");
  });
  it("distinguishes an unverifiable certificate from other TLS failures", () => {
    expect(errorSentence({ kind: "tls", message: "unknown issuer", cert_fingerprint: "AB" }, "h")).toBe(
      "The certificate of h could not be verified: unknown issuer.",
    );
    expect(errorSentence({ kind: "tls", message: "handshake failed" }, "h")).toBe(
      "Could not set up a secure connection to h: handshake failed.",
    );
  });
  it("makes a sentence of a configuration message", () => {
    expect(errorSentence({ kind: "config", message: "the IMAP server name is empty" })).toBe("The IMAP server name is empty.");
  });
});

describe("asSentence", () => {
  it("does not double the final punctuation", () => {
    expect(asSentence("done!")).toBe("Done!");
    expect(asSentence("  ")).toBe("");
  });
});
