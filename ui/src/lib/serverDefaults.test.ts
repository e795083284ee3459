// Tests of server suggestions and the port <-> security pairing.
import { describe, expect, it } from "vitest";
import { domainOf, portForSecurity, securityForPort, suggestServers } from "./serverDefaults";

describe("suggestServers", () => {
  it("suggests imap./smtp. hosts of the address's domain with TLS ports", () => {
    expect(suggestServers("Alice@Example.ORG")).toEqual({
      imap: { host: "imap.example.org", port: 993, security: "tls" },
      smtp: { host: "smtp.example.org", port: 465, security: "tls" },
    });
  });
  it("suggests nothing until there is a domain", () => {
    expect(suggestServers("alice")).toBeNull();
    expect(suggestServers("alice@")).toBeNull();
    expect(domainOf("a@b c")).toBeNull();
  });
});

describe("securityForPort", () => {
  it("switches IMAP between 993/TLS and 143/STARTTLS", () => {
    expect(securityForPort("imap", 143, "tls")).toBe("starttls");
    expect(securityForPort("imap", 993, "starttls")).toBe("tls");
  });
  it("switches SMTP between 465/TLS and 587/STARTTLS", () => {
    expect(securityForPort("smtp", 587, "tls")).toBe("starttls");
    expect(securityForPort("smtp", 465, "starttls")).toBe("tls");
    expect(securityForPort("smtp", 25, "tls")).toBe("starttls");
  });
  it("keeps no encryption on a cleartext port but not on a TLS port", () => {
    expect(securityForPort("imap", 143, "plain")).toBe("plain");
    expect(securityForPort("imap", 993, "plain")).toBe("tls");
  });
  it("leaves custom ports alone", () => {
    expect(securityForPort("imap", 10993, "starttls")).toBe("starttls");
    expect(securityForPort("smtp", 2525, "tls")).toBe("tls");
  });
  it("does not confuse the two protocols' ports", () => {
    expect(securityForPort("imap", 465, "starttls")).toBe("starttls");
    expect(securityForPort("smtp", 143, "tls")).toBe("tls");
  });
});

describe("portForSecurity", () => {
  it("switches well-known ports with the security", () => {
    expect(portForSecurity("imap", "starttls", 993)).toBe(143);
    expect(portForSecurity("imap", "tls", 143)).toBe(993);
    expect(portForSecurity("smtp", "starttls", 465)).toBe(587);
    expect(portForSecurity("smtp", "tls", 587)).toBe(465);
  });
  it("uses the cleartext port for no encryption", () => {
    expect(portForSecurity("imap", "plain", 993)).toBe(143);
    expect(portForSecurity("imap", "plain", 143)).toBe(143);
    expect(portForSecurity("smtp", "plain", 25)).toBe(25);
  });
  it("keeps a custom port", () => {
    expect(portForSecurity("imap", "starttls", 10993)).toBe(10993);
    expect(portForSecurity("smtp", "tls", 2525)).toBe(2525);
  });
});
