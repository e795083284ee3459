// Clicks on links in mail, decided: the page of an HTML message holds only opaque references
// (`https://link.tern.invalid/<message>/<index>`) to the links the engine listed and classified,
// so what a click does is decided here, never by the page: open a web link, confirm first when
// its text shows another host, write a message for mailto:, or refuse with a reason.

import type { Link, Mailto } from "./api";

/** Where the engine points every link of a rendered message (kept in step with sanitize.rs). */
export const LINK_BASE = "https://link.tern.invalid/";

/** The message and link index a link reference names, or null for anything else. */
export function parseLinkRef(url: string): { message: number; index: number } | null {
  if (!url.startsWith(LINK_BASE)) return null;
  const m = /^(\d{1,15})\/(\d{1,9})$/.exec(url.slice(LINK_BASE.length));
  return m ? { message: Number(m[1]), index: Number(m[2]) } : null;
}

export type Decision =
  | { kind: "open"; url: string }
  | { kind: "confirm"; url: string; shown: string; target: string; compose?: Mailto }
  | { kind: "compose"; url: string; mailto?: Mailto }
  | { kind: "refuse"; reason: string };

/** What clicking `link` does; `link` is null when the click names no link Tern listed. */
export function decide(link: Link | null | undefined): Decision {
  if (!link) return { kind: "refuse", reason: "Tern did not open this link: it could not check where it goes." };
  switch (link.action) {
    case "browse":
      return link.shown_host
        ? { kind: "confirm", url: link.href, shown: link.shown_host, target: link.href }
        : { kind: "open", url: link.href };
    case "compose":
      return link.shown_host
        ? { kind: "confirm", url: link.href, shown: link.shown_host, target: link.target_host, compose: link.mailto }
        : { kind: "compose", url: link.href, mailto: link.mailto };
    case "refuse":
      return {
        kind: "refuse",
        reason: link.scheme
          ? `Tern does not open “${link.scheme}:” links from mail. Only web links and email addresses open.`
          : "This link has no address Tern can open.",
      };
  }
  return { kind: "refuse", reason: "This link has no address Tern can open." };
}

/** A link found in plain text (its text is its target, so it cannot show another host). */
export function textLink(href: string): Link {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href)?.[1]?.toLowerCase() ?? "";
  const action = scheme === "http" || scheme === "https" ? "browse" : scheme === "mailto" ? "compose" : "refuse";
  return { href, scheme, action, text: href, target_host: "", shown_host: "" };
}
