// Keyboard shortcuts: the one table the help overlay shows, and the mapping from a key press to
// an action. Pure, so every binding is tested; App.svelte carries the actions out.

export type Action =
  | "next"
  | "previous"
  | "open"
  | "back"
  | "unified"
  | "previousFolder"
  | "nextFolder"
  | "help"
  | "search"
  | "star"
  | "markRead"
  | "markUnread"
  | "archive"
  | "delete"
  | "junk"
  | "move"
  | "copy"
  | "pick"
  | "pickNext"
  | "pickPrevious"
  | "undo"
  | "compose"
  | "reply"
  | "replyAll"
  | "forward"
  | "forwardAttachment"
  | "sync";

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** Where the key was pressed. */
export interface KeyTarget {
  /** A text field, select or editable element: typing there is never a shortcut. */
  editable: boolean;
  /** A button or link, where Enter already means "activate". */
  interactive: boolean;
  /** Inside the reader, where arrow keys scroll the message. */
  inReader: boolean;
}

export interface KeyResult {
  action: Action | null;
  /** When the "g" of a two-key shortcut was pressed, or null. */
  pendingG: number | null;
}

/** How long "g" waits for its second key. */
export const G_TIMEOUT_MS = 1500;

export const SHORTCUTS: readonly { keys: string[]; action: Action; description: string }[] = [
  { keys: ["j", "↓"], action: "next", description: "Next message" },
  { keys: ["k", "↑"], action: "previous", description: "Previous message" },
  { keys: ["Enter", "o"], action: "open", description: "Open the selected message" },
  { keys: ["u", "Esc"], action: "back", description: "Back to the message list" },
  { keys: ["g i"], action: "unified", description: "Go to the unified inbox" },
  { keys: ["["], action: "previousFolder", description: "Previous folder" },
  { keys: ["]"], action: "nextFolder", description: "Next folder" },
  { keys: ["/"], action: "search", description: "Search" },
  { keys: ["s"], action: "star", description: "Star or unstar (the whole conversation)" },
  { keys: ["Shift I"], action: "markRead", description: "Mark read" },
  { keys: ["Shift U"], action: "markUnread", description: "Mark unread" },
  { keys: ["e"], action: "archive", description: "Archive" },
  { keys: ["#", "Delete"], action: "delete", description: "Delete (to Trash; in Trash, for good after asking)" },
  { keys: ["!"], action: "junk", description: "Junk / not junk" },
  { keys: ["v"], action: "move", description: "Move to a folder" },
  { keys: ["Shift V"], action: "copy", description: "Copy to a folder" },
  { keys: ["x"], action: "pick", description: "Select or unselect the message" },
  { keys: ["Shift ↓", "Shift ↑"], action: "pickNext", description: "Extend the selection" },
  { keys: ["z"], action: "undo", description: "Undo the last move, delete, archive or junk" },
  { keys: ["c"], action: "compose", description: "New message" },
  { keys: ["r"], action: "reply", description: "Reply" },
  { keys: ["a"], action: "replyAll", description: "Reply to all" },
  { keys: ["f"], action: "forward", description: "Forward" },
  { keys: ["Shift F"], action: "forwardAttachment", description: "Forward as an attachment" },
  { keys: ["Ctrl Enter"], action: "compose", description: "Send (while writing)" },
  { keys: ["Ctrl R", "F5"], action: "sync", description: "Check for new mail now" },
  { keys: ["?"], action: "help", description: "Show or hide this list" },
];

/**
 * Maps a key press to an action. `pendingG` is when "g" was pressed (or null); `now` is the
 * current time in ms. Sync (Ctrl/Cmd+R, F5) also works in text fields, since there the webview
 * would otherwise reload the whole app.
 */
export function mapKey(press: KeyPress, target: KeyTarget, pendingG: number | null, now: number): KeyResult {
  const none: KeyResult = { action: null, pendingG: null };
  const { key } = press;
  const command = press.ctrlKey || press.metaKey;

  if (key === "F5" && !command && !press.altKey) return { action: "sync", pendingG: null };
  if (command && !press.altKey && key.toLowerCase() === "r") return { action: "sync", pendingG: null };
  if (target.editable || command || press.altKey) return none;

  if (pendingG !== null && now - pendingG <= G_TIMEOUT_MS) {
    if (key === "i") return { action: "unified", pendingG: null };
    if (key === "Shift") return { action: null, pendingG };
    // Any other key cancels the "g" and counts on its own.
  }

  if (press.shiftKey && (key === "ArrowDown" || key === "ArrowUp") && !target.inReader) {
    return { action: key === "ArrowDown" ? "pickNext" : "pickPrevious", pendingG: null };
  }

  switch (key) {
    case "g":
      return { action: null, pendingG: now };
    case "j":
      return { action: "next", pendingG: null };
    case "k":
      return { action: "previous", pendingG: null };
    case "ArrowDown":
      return { action: target.inReader ? null : "next", pendingG: null };
    case "ArrowUp":
      return { action: target.inReader ? null : "previous", pendingG: null };
    case "Enter":
      return { action: target.interactive ? null : "open", pendingG: null };
    case "o":
      return { action: "open", pendingG: null };
    case "u":
    case "Escape":
      return { action: "back", pendingG: null };
    case "[":
      return { action: "previousFolder", pendingG: null };
    case "]":
      return { action: "nextFolder", pendingG: null };
    case "?":
      return { action: "help", pendingG: null };
    case "/":
      return { action: "search", pendingG: null };
    case "s":
      return { action: "star", pendingG: null };
    case "I":
      return { action: "markRead", pendingG: null };
    case "U":
      return { action: "markUnread", pendingG: null };
    case "e":
      return { action: "archive", pendingG: null };
    case "#":
    case "Delete":
      return { action: "delete", pendingG: null };
    case "!":
      return { action: "junk", pendingG: null };
    case "v":
      return { action: "move", pendingG: null };
    case "V":
      return { action: "copy", pendingG: null };
    case "x":
      return { action: "pick", pendingG: null };
    case "z":
      return { action: "undo", pendingG: null };
    case "c":
      return { action: "compose", pendingG: null };
    case "r":
      return { action: "reply", pendingG: null };
    case "a":
      return { action: "replyAll", pendingG: null };
    case "f":
      return { action: "forward", pendingG: null };
    case "F":
      return { action: "forwardAttachment", pendingG: null };
    default:
      return none;
  }
}
