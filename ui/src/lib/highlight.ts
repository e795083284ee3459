// Search highlights: the engine marks matches inside the text with STX/ETX (see api.ts); this
// splits such text into plain and matched pieces, which components render as text nodes.

import { MARK_END, MARK_START } from "./api";

export interface Piece {
  text: string;
  hit: boolean;
}

/** Splits marked text into pieces; unbalanced markers never leak into what is shown. */
export function splitMarks(marked: string): Piece[] {
  const out: Piece[] = [];
  let hit = false;
  let text = "";
  const flush = () => {
    if (text) out.push({ text, hit });
    text = "";
  };
  for (const ch of marked) {
    if (ch === MARK_START) {
      flush();
      hit = true;
    } else if (ch === MARK_END) {
      flush();
      hit = false;
    } else {
      text += ch;
    }
  }
  flush();
  return out;
}

/** The text without markers. */
export function stripMarks(marked: string): string {
  return splitMarks(marked)
    .map((p) => p.text)
    .join("");
}
