// The one typed module over Tauri's invoke and events. Components never call invoke themselves.
// Every shape here mirrors a Rust type in src-tauri/engine or src-tauri/app (serde JSON).

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type Security = "tls" | "starttls" | "plain";

export interface Server {
  host: string;
  port: number;
  security: Security;
  username: string;
  allow_plaintext: boolean;
}

export interface Trust {
  ca_file?: string;
  pinned_sha256?: string[];
}

/** Account settings; never holds a password. */
export interface AccountConfig {
  email: string;
  display_name: string;
  imap: Server;
  smtp?: Server | null;
  trust: Trust;
  notify: boolean;
  password_command?: string | null;
}

export interface Account extends AccountConfig {
  id: number;
}

export type Role = "inbox" | "drafts" | "sent" | "archive" | "junk" | "trash" | "all" | "flagged" | "";

export interface Folder {
  id: number;
  account_id: number;
  /** Server name (modified UTF-7): use only as an identifier. */
  name: string;
  /** Decoded full path for people, e.g. "Lists/rust". */
  display_name: string;
  /** Hierarchy delimiter ("" when flat). */
  delimiter: string;
  role: Role;
  subscribed: boolean;
  selectable: boolean;
  total: number;
  unread: number;
}

export interface Address {
  name?: string;
  email: string;
}

/** Flag bits (see engine message::flags). */
export const Flags = {
  Seen: 1,
  Answered: 2,
  Flagged: 4,
  Deleted: 8,
  Draft: 16,
  Forwarded: 32,
  Junk: 64,
} as const;

export interface MessageSummary {
  id: number;
  folder_id: number;
  uid: number;
  flags: number;
  subject: string;
  from: Address | null;
  /** Unix seconds. */
  date: number;
  size: number;
  snippet: string;
  has_attachments: boolean;
  /** The conversation this message belongs to (see ThreadSummary). */
  thread_id: number;
}

/**
 * Match markers inside highlighted search text: STX before a match, ETX after it. The engine
 * drops these characters from indexed text, so every marker is one it put there. Render the
 * pieces as text, never as HTML (see lib/highlight.ts).
 */
export const MARK_START = "\u0002";
export const MARK_END = "\u0003";

/** A message matching a search: "local" from the index, "server" found only by IMAP SEARCH. */
export interface SearchHit {
  message: MessageSummary;
  highlighted_subject: string;
  highlighted_snippet: string;
  source: "local" | "server";
}

/** A conversation across every folder it has mail in. */
export interface ThreadSummary {
  id: number;
  /** Subject of the oldest message. */
  subject: string;
  /** Distinct senders, oldest first. */
  senders: Address[];
  count: number;
  unread: number;
  starred: boolean;
  has_attachments: boolean;
  /** Unix seconds of the newest message. */
  latest_date: number;
  /** Id of the newest message. */
  newest: number;
  snippet: string;
}

export interface Attachment {
  index: number;
  filename: string;
  mime: string;
  size: number;
  content_id?: string;
  inline: boolean;
}

export interface MessageView {
  summary: MessageSummary;
  to: Address[];
  cc: Address[];
  reply_to: Address[];
  message_id: string;
  /** Plain text body (for text mail, or derived from HTML). */
  text: string;
  /** Sanitized HTML document for a sandboxed iframe's srcdoc, with its own CSP; "" for text mail. */
  html: string;
  /** The HTML's links, numbered as its opaque link references (see lib/links.ts). */
  links: Link[];
  attachments: Attachment[];
  /** The message refers to remote content (images, CSS, fonts). */
  has_remote_content: boolean;
  /** Remote content is shown in `html` (allowed once or always for this sender). */
  remote_allowed: boolean;
}

/** What a `mailto:` link may fill in: nothing beyond recipients, subject and body. */
export interface Mailto {
  to: string[];
  cc: string[];
  subject: string;
  body: string;
}

/** One link of an HTML message, as the engine classified it. */
export interface Link {
  href: string;
  scheme: string;
  action: "browse" | "compose" | "refuse";
  text: string;
  /** The host (or address) the target goes to. */
  target_host: string;
  /** The host the link's text shows when it differs from the target's; "" otherwise. */
  shown_host: string;
  mailto?: Mailto;
}

export type ErrorKind =
  | "auth"
  | "network"
  | "timeout"
  | "tls"
  | "not-found"
  | "protocol"
  | "refused"
  | "storage"
  | "config"
  | "credentials"
  | "not-empty"
  | "cancelled";

/** What every failing command rejects with. */
export interface UiError {
  kind: ErrorKind;
  message: string;
  /** For TLS errors: SHA-256 of the certificate the server showed, to trust explicitly. */
  cert_fingerprint?: string;
}

export interface NewMailItem {
  id: number;
  from: Address | null;
  subject: string;
  date: number;
}

/** Engine events, forwarded in batches. They carry ids: re-query what you show. */
export type EngineEvent =
  | { type: "new-mail"; account: number; folder: number; messages: NewMailItem[] }
  | { type: "messages-added"; account: number; folder: number; ids: number[] }
  | { type: "messages-changed"; account: number; folder: number; ids: number[] }
  | { type: "messages-removed"; account: number; folder: number; ids: number[] }
  | { type: "folders-changed"; account: number }
  | { type: "folder-counts"; account: number; folder: number; total: number; unread: number }
  | { type: "sync-progress"; account: number; folder: number; done: number; total: number }
  | { type: "sync-state"; account: number; syncing: boolean; online: boolean }
  | { type: "account-error"; account: number; error: UiError }
  | { type: "pending-changed"; account: number; count: number }
  | { type: "outbox-changed"; account: number }
  | { type: "send-failed"; account: number; outbox: number }
  | { type: "drafts-changed"; account: number }
  | { type: "action-failed"; account: number; failure: number }
  | { type: "resync-all" };

export interface AccountStatus {
  account: number;
  online: boolean;
  syncing: boolean;
  error: UiError | null;
}

/** What the user last looked at, restored at start. */
export interface UiState {
  folder_id: number | null;
  message_id: number | null;
  /** The list shows conversations. */
  threaded?: boolean;
  /** Undo-send delay in seconds (0, 5, 10 or 30). */
  send_delay?: number;
  /** Signatures by account id. */
  signatures?: Record<string, string>;
  /** "folders" pane width etc. may be added later; unknown keys are kept. */
}

/** What a move, copy, delete, archive or junk did. */
export interface ActionDone {
  /** Handle for undoing it (action_undo); null when it cannot be undone (copies, permanent deletes). */
  undo: number | null;
  /** Messages it applied to. */
  count: number;
  /** Where they went (a folder's display name), when somewhere. */
  destination: string | null;
}

/** An action the server refused for good; its local change was reverted. */
export interface FailedAction {
  id: number;
  account: number;
  /** What the user did, in words ("Move 3 messages to Archive"). */
  what: string;
  error: UiError;
}

/** Actions not yet on the server, per account, and those that failed for good. */
export interface PendingState {
  waiting: { account: number; count: number }[];
  failed: FailedAction[];
}

/** A file attached to a message being written: a staged file, or (from a reopened draft) bytes. */
export interface DraftAttachment {
  filename: string;
  /** MIME type; "" is guessed from the name. */
  mime: string;
  content: { path: string } | { bytes: string };
  /** Shown in the compose pane; not stored. */
  size?: number;
}

/** How a draft answers a cached message (it gets \Answered or $Forwarded once sent). */
export interface Origin {
  message: number;
  kind: "reply" | "forward";
}

/** A message being written, as the engine keeps and sends it (engine compose::Draft). */
export interface DraftInput {
  account: number;
  /** The name to send under; "" is the account's. */
  from_name: string;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  subject: string;
  text: string;
  /** The HTML part; absent for plain text only. */
  html?: string | null;
  attachments: DraftAttachment[];
  /** Message-ID replied to, without angle brackets; "" when none. */
  in_reply_to: string;
  references: string[];
  origin?: Origin | null;
}

/** A draft with the id it is kept under. */
export interface DraftView {
  id: number | null;
  draft: DraftInput;
}

/** A message in the outbox. */
export interface OutboxItem {
  id: number;
  account: number;
  /** "failed" waits for the user: send again, or cancel to edit it as a draft. */
  state: "queued" | "sending" | "sent" | "failed";
  subject: string;
  recipients: string[];
  /** Unix milliseconds when it goes (after the undo-send delay, or the next retry). */
  send_at: number;
  attempts: number;
  error?: UiError | null;
}

/** The unified inbox is addressed as folder `null`. */
export type FolderKey = number | null;

export const api = {
  accounts: () => invoke<Account[]>("accounts_list"),
  /** Connects and logs in without saving anything. */
  testAccount: (config: AccountConfig, password: string) => invoke<void>("account_test", { config, password }),
  /** Tests the connection, keeps the password in the OS keyring, saves and starts syncing. */
  addAccount: (config: AccountConfig, password: string) => invoke<Account>("account_add", { config, password }),
  /** `password` null keeps the stored one. */
  updateAccount: (id: number, config: AccountConfig, password: string | null) =>
    invoke<Account>("account_update", { id, config, password }),
  removeAccount: (id: number) => invoke<void>("account_remove", { id }),

  /** Every account's folders, special-use first. */
  folders: () => invoke<Folder[]>("folders_list"),
  /** A page of a folder (or of the unified inbox when null), newest first. From the cache. */
  messages: (folder: FolderKey, offset: number, limit: number) =>
    invoke<MessageSummary[]>("messages_list", { folderId: folder, offset, limit }),
  messageCount: (folder: FolderKey) => invoke<number>("messages_count", { folderId: folder }),
  /** Loads (fetching if needed), renders and marks the message read. */
  openMessage: (id: number) => invoke<MessageView>("message_open", { id }),
  /** Shows remote content of this message, once or always for its sender. Returns it re-rendered. */
  allowRemoteContent: (id: number, always: boolean) => invoke<MessageView>("remote_content_allow", { id, always }),
  /** Saves an attachment where the user picks (native dialog); resolves to the path or null. */
  saveAttachment: (messageId: number, index: number) =>
    invoke<string | null>("attachment_save", { messageId, index }),
  /** Hands an attachment to the OS after an explicit click. */
  openAttachment: (messageId: number, index: number) => invoke<void>("attachment_open", { messageId, index }),
  /** Opens an http(s) link in the system browser; other schemes are refused. */
  openLink: (url: string) => invoke<void>("link_open", { url }),
  /** Reads a `mailto:` URL into the fields a compose may take (the engine's restricted parser). */
  parseMailto: (url: string) => invoke<Mailto>("mailto_parse", { url }),
  /** Local search (the cache's full-text index): `everywhere` or only the shown folder. */
  search: (query: string, folder: FolderKey, everywhere: boolean, offset: number, limit: number) =>
    invoke<SearchHit[]>("search", { query, folderId: folder, everywhere, offset, limit }),
  searchCount: (query: string, folder: FolderKey, everywhere: boolean) =>
    invoke<number>("search_count", { query, folderId: folder, everywhere }),
  /** Asks the servers (IMAP SEARCH); resolves to the hits the local search did not have. */
  searchServer: (query: string, folder: FolderKey, everywhere: boolean) =>
    invoke<SearchHit[]>("search_server", { query, folderId: folder, everywhere }),
  /** A page of conversations with mail in the folder (or every INBOX), newest activity first. */
  threads: (folder: FolderKey, offset: number, limit: number) =>
    invoke<ThreadSummary[]>("threads_list", { folderId: folder, offset, limit }),
  threadCount: (folder: FolderKey) => invoke<number>("threads_count", { folderId: folder }),
  /** A conversation's messages in every folder, oldest first. */
  threadMessages: (threadId: number) => invoke<MessageSummary[]>("thread_messages", { threadId }),
  /** Adds/removes flag bits on messages and on every message of whole conversations. */
  setFlags: (ids: number[], threadIds: number[], add: number, remove: number) =>
    invoke<void>("flags_set", { ids, threadIds, add, remove }),
  /** Moves (or copies) messages and whole conversations to a folder, at once locally; queued for the server. */
  /**
   * The actions below take messages and whole conversations; of a conversation, only its
   * messages in `listFolder` (the list on screen; null: every INBOX) are acted on.
   */
  move: (ids: number[], threadIds: number[], listFolder: FolderKey, folderId: number, copy: boolean) =>
    invoke<ActionDone>("messages_move", { ids, threadIds, listFolder, folderId, copy }),
  archive: (ids: number[], threadIds: number[], listFolder: FolderKey) =>
    invoke<ActionDone>("messages_archive", { ids, threadIds, listFolder }),
  /** To Trash (never what is already there); with `permanent`, for good (only after the user confirmed). */
  remove: (ids: number[], threadIds: number[], listFolder: FolderKey, permanent: boolean) =>
    invoke<ActionDone>("messages_delete", { ids, threadIds, listFolder, permanent }),
  /** To Junk, or (junk false) out of it back to the Inbox. */
  junk: (ids: number[], threadIds: number[], listFolder: FolderKey, junk: boolean) =>
    invoke<ActionDone>("messages_junk", { ids, threadIds, listFolder, junk }),
  undo: (token: number) => invoke<void>("action_undo", { token }),
  pending: () => invoke<PendingState>("pending_status"),
  dismissFailure: (id: number) => invoke<void>("failure_dismiss", { id }),
  folderCreate: (accountId: number, parentId: number | null, name: string) =>
    invoke<void>("folder_create", { accountId, parentId, name }),
  folderRename: (folderId: number, name: string) => invoke<void>("folder_rename", { folderId, name }),
  /** Refused for a folder with mail unless `force`. */
  folderDelete: (folderId: number, force: boolean) => invoke<void>("folder_delete", { folderId, force }),
  folderSubscribe: (folderId: number, subscribed: boolean) => invoke<void>("folder_subscribe", { folderId, subscribed }),
  /** A reply, reply-all or forward of a message, prefilled by the engine. */
  draftFor: (messageId: number, kind: "reply" | "reply-all" | "forward" | "forward-attachment") =>
    invoke<DraftView>("draft_for", { messageId, kind }),
  /** A draft from the Drafts folder, editable again. */
  draftOpen: (messageId: number) => invoke<DraftView>("draft_open", { messageId }),
  /** Keeps a draft (locally at once, then in the Drafts folder, replacing the last copy); resolves to its id. */
  draftSave: (id: number | null, draft: DraftInput) => invoke<number>("draft_save", { id, draft }),
  draftDiscard: (id: number) => invoke<void>("draft_discard", { id }),
  /** Queues the message in the outbox, to go after `delaySeconds`; resolves to its outbox id. */
  send: (draftId: number | null, draft: DraftInput, delaySeconds: number) =>
    invoke<number>("message_send", { draftId, draft, delaySeconds }),
  /** Takes a message out of the outbox before it goes; it becomes a draft again, returned to edit. */
  cancelSend: (id: number) => invoke<DraftView>("send_cancel", { id }),
  outbox: () => invoke<OutboxItem[]>("outbox_list"),
  /** Known addresses starting with what was typed, most used first. */
  suggestAddresses: (prefix: string) => invoke<Address[]>("address_suggest", { prefix }),
  /** Opens the file picker; resolves to the files to attach. */
  pickAttachments: () => invoke<DraftAttachment[]>("attachment_pick"),
  /** Stages a dropped file's bytes for attaching. */
  stageAttachment: (name: string, mime: string, bytes: ArrayBuffer) =>
    invoke<DraftAttachment>("attachment_stage", bytes, { headers: { "x-name": encodeURIComponent(name), "x-mime": mime } }),
  syncNow: (account: number | null) => invoke<void>("sync_now", { accountId: account }),
  status: () => invoke<AccountStatus[]>("status"),
  uiState: () => invoke<UiState>("ui_state_get"),
  saveUiState: (state: UiState) => invoke<void>("ui_state_set", { state }),
  /** Tells the shell what is on screen, so no notification is raised for mail already in view. */
  viewing: (folder: FolderKey) => invoke<void>("viewing", { folderId: folder }),

  /** Engine events, in batches. */
  onEvents: (handler: (events: EngineEvent[]) => void): Promise<UnlistenFn> =>
    listen<EngineEvent[]>("tern://events", (e) => handler(e.payload)),
  /** A notification was clicked: show this message. */
  /** A link in mail was clicked: the URL the message frame asked to open (a link reference). */
  onLinkClicked: (handler: (url: string) => void): Promise<UnlistenFn> =>
    listen<string>("tern://link", (e) => handler(e.payload)),
  onOpenMessage: (handler: (messageId: number) => void): Promise<UnlistenFn> =>
    listen<number>("tern://open-message", (e) => handler(e.payload)),
};

/** Narrows an unknown rejection to a UiError (invoke rejects with the serialized error). */
export function asUiError(e: unknown): UiError {
  if (e && typeof e === "object" && "kind" in e && "message" in e) return e as UiError;
  return { kind: "protocol", message: String(e) };
}
