/** Postmark's message fields and validation rules, with its ErrorCodes and messages. */

export interface PostmarkMessage {
  From?: unknown;
  To?: unknown;
  Cc?: unknown;
  Bcc?: unknown;
  Subject?: unknown;
  Tag?: unknown;
  HtmlBody?: unknown;
  TextBody?: unknown;
  ReplyTo?: unknown;
  Metadata?: unknown;
  MessageStream?: unknown;
  [field: string]: unknown;
}

export interface PostmarkError {
  ErrorCode: number;
  Message: string;
}

/** A message that passed validation, with its recipients as bare addresses. */
export interface ValidEmail {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  tag?: string;
  metadata?: Record<string, string>;
  messageStream: string;
}

export const INVALID_REQUEST = 300;
export const INACTIVE_RECIPIENT = 406;
const MAX_RECIPIENTS = 50;

const ADDRESS = /^[^\s@<>",;()]+@[^\s@<>",;()]+\.[^\s@<>",;()]+$/;

/** Splits `a@x.com, "Doe, Jane" <jane@y.com>` on the commas between addresses. */
function splitList(list: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  let angle = false;
  for (const ch of list) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "<" && !quoted) angle = true;
    else if (ch === ">" && !quoted) angle = false;
    if (ch === "," && !quoted && !angle) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

/** The bare address of `Name <a@b.c>` or `a@b.c`; undefined when it is not a valid address. */
export function bareAddress(entry: string): string | undefined {
  const m = /<([^<>]*)>\s*$/.exec(entry);
  const addr = (m ? m[1] : entry).trim();
  return ADDRESS.test(addr) ? addr : undefined;
}

/**
 * How a message is named in the recorder and matched by fault rules: the bare addresses of its
 * To field (`a@x.com` for `"A" <a@x.com>`), comma-joined; the raw value when it does not parse.
 */
export function recipientTarget(to: unknown): string {
  if (typeof to !== "string") return to === undefined || to === null ? "" : String(to);
  return splitList(to)
    .map((e) => bareAddress(e) ?? e)
    .join(", ");
}

function parseRecipients(field: "To" | "Cc" | "Bcc", value: unknown): string[] | PostmarkError {
  if (value === undefined || value === null || value === "") return [];
  if (typeof value !== "string") return { ErrorCode: INVALID_REQUEST, Message: `Invalid '${field}' address: '${String(value)}'.` };
  const out: string[] = [];
  for (const entry of splitList(value)) {
    const addr = bareAddress(entry);
    if (!addr) return { ErrorCode: INVALID_REQUEST, Message: `Invalid '${field}' address: '${entry}'.` };
    out.push(addr);
  }
  return out;
}

const isError = (v: unknown): v is PostmarkError => typeof v === "object" && v !== null && "ErrorCode" in v;

export function validateEmail(msg: PostmarkMessage): ValidEmail | PostmarkError {
  if (typeof msg.From !== "string" || !bareAddress(msg.From)) {
    return { ErrorCode: INVALID_REQUEST, Message: `Invalid 'From' address: '${msg.From === undefined ? "" : String(msg.From)}'.` };
  }
  const to = parseRecipients("To", msg.To);
  if (isError(to)) return to;
  const cc = parseRecipients("Cc", msg.Cc);
  if (isError(cc)) return cc;
  const bcc = parseRecipients("Bcc", msg.Bcc);
  if (isError(bcc)) return bcc;
  const count = to.length + cc.length + bcc.length;
  if (count === 0) return { ErrorCode: INVALID_REQUEST, Message: "Zero recipients specified" };
  if (count > MAX_RECIPIENTS) {
    return { ErrorCode: INVALID_REQUEST, Message: `Maximum of ${MAX_RECIPIENTS} recipients allowed per message (found ${count}).` };
  }
  if (msg.Subject !== undefined && msg.Subject !== null && typeof msg.Subject !== "string") {
    return { ErrorCode: INVALID_REQUEST, Message: "Invalid 'Subject': must be a string." };
  }
  const subject = (msg.Subject as string | undefined) ?? "";
  if (subject.length > 2000) return { ErrorCode: INVALID_REQUEST, Message: "Subject must be 2000 characters or less." };
  const hasText = typeof msg.TextBody === "string" && msg.TextBody !== "";
  const hasHtml = typeof msg.HtmlBody === "string" && msg.HtmlBody !== "";
  if (!hasText && !hasHtml) return { ErrorCode: INVALID_REQUEST, Message: "Provide either email TextBody or HtmlBody or both." };
  const metadata = msg.Metadata;
  if (metadata !== undefined && metadata !== null && (typeof metadata !== "object" || Array.isArray(metadata))) {
    return { ErrorCode: INVALID_REQUEST, Message: "Invalid 'Metadata': must be an object of string values." };
  }
  return {
    from: msg.From,
    to,
    cc,
    bcc,
    subject,
    tag: typeof msg.Tag === "string" && msg.Tag !== "" ? msg.Tag : undefined,
    metadata: (metadata as Record<string, string> | undefined) ?? undefined,
    messageStream: typeof msg.MessageStream === "string" && msg.MessageStream !== "" ? msg.MessageStream : "outbound",
  };
}

export function inactiveRecipientError(addresses: string[]): PostmarkError {
  return {
    ErrorCode: INACTIVE_RECIPIENT,
    Message:
      "You tried to send to a recipient that has been marked as inactive.\n" +
      `Found inactive addresses: ${addresses.join(", ")}.\n` +
      "Inactive recipients are ones that have generated a hard bounce or a spam complaint.",
  };
}
