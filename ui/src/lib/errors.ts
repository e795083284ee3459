// Turns a UiError into a sentence a person can act on, switching on its kind (never on text).

import type { UiError } from "./api";

/** Capitalises and ends a message with a full stop, so it reads as a sentence. */
export function asSentence(message: string): string {
  const m = message.trim();
  if (!m) return "";
  const s = m[0]!.toUpperCase() + m.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** `host` names the server involved, when the caller knows it (account setup, account status). */
export function errorSentence(e: UiError, host?: string): string {
  const where = host ? ` ${host}` : " the server";
  switch (e.kind) {
    case "auth":
      return "The server rejected the user name or password.";
    case "network":
    case "timeout":
      return asSentence(`Could not reach${where}: ${e.message}`);
    case "tls":
      return e.cert_fingerprint
        ? asSentence(`The certificate of${where} could not be verified: ${e.message}`)
        : asSentence(`Could not set up a secure connection to${where}: ${e.message}`);
    case "not-found":
      return asSentence(`It is no longer there: ${e.message}`);
    case "protocol":
      return asSentence(`The server's reply was not understood: ${e.message}`);
    case "refused":
      return asSentence(`The server refused: ${e.message}`);
    case "storage":
      return asSentence(`The mail stored on this computer could not be read or written: ${e.message}`);
    case "config":
    case "not-empty":
      return asSentence(e.message);
    case "credentials":
      return asSentence(`The password could not be read or stored: ${e.message}`);
    case "cancelled":
      return "The operation was cancelled.";
  }
  return asSentence(e.message);
}
