// Server defaults for account setup: host names suggested from the address, and the usual
// pairing of ports with security (IMAP 993 TLS / 143 STARTTLS, SMTP 465 TLS / 587 STARTTLS).

import type { Security } from "./api";

export type ServerKind = "imap" | "smtp";

export interface ServerSuggestion {
  host: string;
  port: number;
  security: Security;
}

const TLS_PORT: Record<ServerKind, number> = { imap: 993, smtp: 465 };
const STARTTLS_PORT: Record<ServerKind, number> = { imap: 143, smtp: 587 };
const STARTTLS_PORTS: Record<ServerKind, readonly number[]> = { imap: [143], smtp: [587, 25] };

/** The domain of an email address, or null when it has none yet. */
export function domainOf(email: string): string | null {
  const at = email.lastIndexOf("@");
  if (at < 0) return null;
  const domain = email.slice(at + 1).trim().toLowerCase();
  return domain && !/\s/.test(domain) ? domain : null;
}

/** The usual servers for an address: imap.<domain>:993 and smtp.<domain>:465, both TLS. */
export function suggestServers(email: string): Record<ServerKind, ServerSuggestion> | null {
  const domain = domainOf(email);
  if (!domain) return null;
  return {
    imap: { host: `imap.${domain}`, port: TLS_PORT.imap, security: "tls" },
    smtp: { host: `smtp.${domain}`, port: TLS_PORT.smtp, security: "tls" },
  };
}

function isWellKnown(kind: ServerKind, port: number): boolean {
  return port === TLS_PORT[kind] || STARTTLS_PORTS[kind].includes(port);
}

/**
 * The security that goes with a newly typed port: TLS on 993/465, STARTTLS on 143/587/25.
 * "No encryption" stays chosen on a STARTTLS port, and other ports keep what was chosen.
 */
export function securityForPort(kind: ServerKind, port: number, current: Security): Security {
  if (port === TLS_PORT[kind]) return "tls";
  if (STARTTLS_PORTS[kind].includes(port)) return current === "plain" ? "plain" : "starttls";
  return current;
}

/**
 * The port that goes with newly chosen security. Only a well-known port is switched, so a
 * custom port the user typed is kept.
 */
export function portForSecurity(kind: ServerKind, security: Security, currentPort: number): number {
  if (!isWellKnown(kind, currentPort)) return currentPort;
  if (security === "tls") return TLS_PORT[kind];
  // STARTTLS and plain share the cleartext ports; keep 25 if that is what is set.
  return STARTTLS_PORTS[kind].includes(currentPort) ? currentPort : STARTTLS_PORT[kind];
}
