// The message being written: its fields, autosaved as a draft a moment after each change
// (locally at once by the engine, then to the Drafts folder), and sent through the outbox
// with the undo-send delay. Reply, reply-all and forward start from the engine's prefilled
// draft (threading headers, quoted original, recipients without the user's own addresses).

import { parseList, formatList } from "./addresses";
import { outbox } from "./outbox.svelte";
import { api, asUiError, type Address, type DraftAttachment, type DraftInput, type DraftView, type Mailto, type UiError } from "./api";

/** How long after the last change a draft is saved. */
export const AUTOSAVE_MS = 1500;

export type ComposeKind = "new" | "reply" | "reply-all" | "forward" | "forward-attachment" | "draft";

export type SaveState = "clean" | "dirty" | "saving" | "saved" | "failed";

function htmlToText(html: string): string {
  const div = document.createElement("div");
  div.innerHTML = html;
  // Block elements end lines, as a reader of the plain part expects.
  for (const el of div.querySelectorAll("p, div, li, blockquote, br, h1, h2, h3")) {
    if (el.tagName === "BR") el.replaceWith("\n");
    else el.append("\n");
  }
  for (const q of div.querySelectorAll("blockquote")) {
    q.textContent = (q.textContent ?? "")
      .trimEnd()
      .split("\n")
      .map((l) => `> ${l}`)
      .join("\n");
  }
  return (div.textContent ?? "").replace(/\n{3,}/g, "\n\n").trimEnd();
}

export function textToHtml(text: string): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return text
    .split("\n")
    .map((l) => (l ? `<div>${esc(l)}</div>` : "<div><br></div>"))
    .join("");
}

class Compose {
  open = $state(false);
  kind = $state<ComposeKind>("new");
  draftId = $state<number | null>(null);
  account = $state<number>(0);
  to = $state("");
  cc = $state("");
  bcc = $state("");
  showCc = $state(false);
  subject = $state("");
  /** The editor's HTML. */
  html = $state("");
  attachments = $state.raw<DraftAttachment[]>([]);
  save = $state<SaveState>("clean");
  error = $state.raw<UiError | null>(null);
  sending = $state(false);
  /** Threading and the original a reply or forward refers to, kept from the prefilled draft. */
  private meta: Pick<DraftInput, "in_reply_to" | "references" | "origin" | "from_name"> = {
    in_reply_to: "",
    references: [],
    origin: null,
    from_name: "",
  };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private saving: Promise<void> | null = null;

  /** Opens a new message, a reply or forward of `messageId`, or the draft `messageId`. */
  async start(kind: ComposeKind, account: number, messageId: number | null = null, signature = ""): Promise<void> {
    this.reset();
    this.kind = kind;
    this.account = account;
    try {
      if (kind === "new") {
        this.html = signature ? `<div><br></div><div><br></div><div>-- </div>${textToHtml(signature)}` : "";
      } else if (messageId !== null) {
        const d = kind === "draft" ? await api.draftOpen(messageId) : await api.draftFor(messageId, kind);
        this.fill(d.draft, signature);
        this.draftId = d.id;
      }
      this.open = true;
    } catch (e) {
      this.error = asUiError(e);
      this.open = true;
    }
  }

  /**
   * Opens a new message from a `mailto:` link: its recipients, subject and body only (the
   * engine's parser already dropped attachments and every other header).
   */
  async startMailto(account: number, m: Mailto, signature = ""): Promise<void> {
    await this.start("new", account, null, signature);
    this.to = m.to.join(", ");
    this.cc = m.cc.join(", ");
    this.showCc = m.cc.length > 0;
    this.subject = m.subject;
    if (m.body) this.html = textToHtml(m.body) + this.html;
  }

  /** Reopens a draft given back by the engine (a cancelled send). */
  resume(view: DraftView): void {
    this.reset();
    this.kind = "draft";
    this.fill(view.draft, "");
    this.draftId = view.id;
    this.open = true;
  }

  private fill(d: DraftInput, signature: string): void {
    this.account = d.account;
    this.to = formatList(d.to);
    this.cc = formatList(d.cc);
    this.bcc = formatList(d.bcc);
    this.showCc = d.cc.length + d.bcc.length > 0;
    this.subject = d.subject;
    const sig = signature && this.kind !== "draft" ? `<div><br></div><div>-- </div>${textToHtml(signature)}` : "";
    this.html = d.html ?? `<div><br></div>${sig}${textToHtml(d.text)}`;
    this.attachments = d.attachments;
    this.meta = { in_reply_to: d.in_reply_to, references: d.references, origin: d.origin ?? null, from_name: d.from_name };
  }

  private reset(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.draftId = null;
    this.to = this.cc = this.bcc = this.subject = this.html = "";
    this.showCc = false;
    this.attachments = [];
    this.save = "clean";
    this.error = null;
    this.sending = false;
    this.meta = { in_reply_to: "", references: [], origin: null, from_name: "" };
  }

  /** The fields as the engine takes them; `strict` fails on what is not an address. */
  input(strict: boolean): DraftInput {
    const lists = [this.to, this.cc, this.bcc].map(parseList);
    const bad = lists.flatMap((l) => l.invalid);
    if (strict && bad.length) throw { kind: "config", message: `Not an email address: ${bad.join(", ")}` } satisfies UiError;
    const [to, cc, bcc] = lists.map((l) => l.addresses) as [Address[], Address[], Address[]];
    const html = this.html.trim() ? this.html : null;
    return {
      account: this.account,
      to,
      cc,
      bcc,
      subject: this.subject,
      text: html ? htmlToText(html) : "",
      html,
      attachments: this.attachments,
      ...this.meta,
    };
  }

  /** Something changed: save soon. */
  changed(): void {
    this.save = "dirty";
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.saveNow(), AUTOSAVE_MS);
  }

  async saveNow(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.saving) await this.saving;
    if (this.save !== "dirty") return;
    this.save = "saving";
    this.saving = (async () => {
      try {
        this.draftId = await api.draftSave(this.draftId, this.input(false));
        if (this.save === "saving") this.save = "saved";
      } catch (e) {
        this.save = "failed";
        this.error = asUiError(e);
      }
    })();
    await this.saving;
    this.saving = null;
  }

  addAttachments(list: DraftAttachment[]): void {
    this.attachments = [...this.attachments, ...list];
    this.changed();
  }

  removeAttachment(index: number): void {
    this.attachments = this.attachments.filter((_, i) => i !== index);
    this.changed();
  }

  /** Sends through the outbox (after the undo-send delay); the window closes at once. */
  async send(delaySeconds: number): Promise<number | null> {
    this.error = null;
    let input: DraftInput;
    try {
      input = this.input(true);
      if (input.to.length + input.cc.length + input.bcc.length === 0) {
        throw { kind: "config", message: "Add at least one recipient" } satisfies UiError;
      }
    } catch (e) {
      this.error = asUiError(e);
      return null;
    }
    this.sending = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.saving) await this.saving;
    try {
      const id = await api.send(this.draftId, input, delaySeconds);
      this.open = false;
      this.reset();
      outbox.sent(id, delaySeconds);
      return id;
    } catch (e) {
      this.error = asUiError(e);
      return null;
    } finally {
      this.sending = false;
    }
  }

  /** Closes the window, keeping what was written as a draft. */
  async close(): Promise<void> {
    if (this.save === "dirty") await this.saveNow();
    this.open = false;
    this.reset();
  }

  /** Throws the draft away (locally and in the Drafts folder). */
  async discard(): Promise<void> {
    const id = this.draftId;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.saving) await this.saving;
    this.open = false;
    this.reset();
    if (id !== null) await api.draftDiscard(id).catch(() => {});
  }
}

export const compose = new Compose();
