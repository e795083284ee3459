// Raw RFC 5322 messages for the tests (CRLF line ends, a unique Message-ID unless given, Date =
// now unless given).

let counter = 0;

function headers({ from, to = "Alice <alice@example.org>", subject, date = new Date(), messageId, inReplyTo, references }) {
  counter += 1;
  const id = messageId ?? `<e2e.${Date.now()}.${process.pid}.${counter}@example.net>`;
  const lines = [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Date: ${date.toUTCString()}`, `Message-ID: ${id}`];
  if (inReplyTo) lines.push(`In-Reply-To: ${inReplyTo}`);
  if (references?.length) lines.push(`References: ${references.join(" ")}`);
  return [...lines, "MIME-Version: 1.0"];
}

const crlf = (lines) => lines.join("\r\n") + "\r\n";

/** A text/plain message; `messageId`, `inReplyTo` and `references` make threads. */
export function textMessage({ from = "Bob Example <bob@example.net>", to, subject, text, date, messageId, inReplyTo, references }) {
  return crlf([
    ...headers({ from, to, subject, date, messageId, inReplyTo, references }),
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    ...text.split("\n"),
  ]);
}

/** multipart/alternative with a text part and the given HTML. */
export function htmlMessage({ from = "Bob Example <bob@example.net>", to, subject, text, html, date }) {
  const b = `=_e2e_${Date.now()}_${counter}`;
  return crlf([
    ...headers({ from, to, subject, date }),
    `Content-Type: multipart/alternative; boundary="${b}"`,
    "",
    `--${b}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    ...text.split("\n"),
    `--${b}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    ...html.split("\n"),
    `--${b}--`,
  ]);
}
