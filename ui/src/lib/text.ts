// Plain-text mail for the reader: links found in text (http, https and mailto only) and
// quoted passages (lines starting with ">") split into nested blocks.

export type Inline = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

export type Block =
  | { kind: "text"; text: string }
  | { kind: "quote"; blocks: Block[]; lines: number };

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const URL_RE = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/gi;
const TRAILING = new Set([".", ",", ";", ":", "!", "?", "'", '"', ")", "]", "}", ">", "*", "_"]);

/** The URL if it is one the reader may offer as a link (http, https, mailto), else null. */
export function safeLink(candidate: string): string | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (!SAFE_SCHEMES.has(url.protocol)) return null;
  if (url.protocol === "mailto:" ? url.pathname === "" : url.hostname === "") return null;
  return candidate;
}

/** Drops punctuation that ends the sentence rather than the URL, keeping balanced brackets. */
function trimUrl(url: string): string {
  let end = url.length;
  while (end > 0) {
    const c = url[end - 1]!;
    if (!TRAILING.has(c)) break;
    if (c === ")") {
      const body = url.slice(0, end);
      const open = body.split("(").length - 1;
      const close = body.split(")").length - 1;
      if (open >= close) break;
    }
    end--;
  }
  return url.slice(0, end);
}

/** Splits text into plain runs and links; anything that is not a safe URL stays text. */
export function linkify(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  const pushText = (s: string) => {
    if (!s) return;
    const prev = out[out.length - 1];
    if (prev?.kind === "text") prev.text += s;
    else out.push({ kind: "text", text: s });
  };
  for (const m of text.matchAll(URL_RE)) {
    const start = m.index;
    const url = trimUrl(m[0]);
    const href = safeLink(url);
    if (!href) continue;
    pushText(text.slice(last, start));
    out.push({ kind: "link", text: url, href });
    last = start + url.length;
  }
  pushText(text.slice(last));
  return out;
}

const QUOTED = /^[ \t]?>/;

/** Splits text into runs of ordinary lines and (recursively nested) quoted passages. */
export function splitQuotes(text: string): Block[] {
  return splitLines(text.replace(/\r\n?/g, "\n").split("\n"));
}

function splitLines(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const quoted = QUOTED.test(lines[i]!);
    let j = i;
    while (j < lines.length && QUOTED.test(lines[j]!) === quoted) j++;
    const run = lines.slice(i, j);
    if (quoted) {
      // Strip one level of ">" and the space that usually follows it.
      const inner = run.map((l) => l.replace(/^[ \t]?> ?/, ""));
      blocks.push({ kind: "quote", blocks: splitLines(inner), lines: run.length });
    } else {
      blocks.push({ kind: "text", text: run.join("\n") });
    }
    i = j;
  }
  return blocks;
}

/** Quoted passages at least this long start collapsed. */
export const COLLAPSE_QUOTE_LINES = 6;
