import type { RecordedRequest } from "./recorder.js";

/**
 * Headers that carry a credential: the workers' Twilio Basic auth, the Postmark server token,
 * the APNs/FCM bearer tokens, the VAPID JWT. Anyone who can read /messages could otherwise
 * replay them, e.g. sign forged Twilio callbacks with the account's auth token.
 */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|password|api-?key|signature/i;
/** Body fields with the same role (form posts and JSON). */
const SECRET_FIELD = /^(password|secret|token|authtoken|servertoken|apikey|api_key|client_secret|private_?key)$/i;

export const REDACTED = "[redacted]";

/** Keeps the scheme ("Basic", "Bearer", "vapid"), which is what one debugs with, and drops the rest. */
function redactHeader(name: string, value: string): string {
  if (/authorization$/i.test(name)) {
    const scheme = /^([A-Za-z][\w-]*)\s/.exec(value)?.[1];
    return scheme ? `${scheme} ${REDACTED}` : REDACTED;
  }
  return REDACTED;
}

function redactBody(body: unknown, depth = 0): unknown {
  if (depth > 8 || typeof body !== "object" || body === null) return body;
  if (Array.isArray(body)) return body.map((v) => redactBody(v, depth + 1));
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, SECRET_FIELD.test(k) ? REDACTED : redactBody(v, depth + 1)]));
}

/** A recording as the control API shows it: credentials replaced, everything else as received. */
export function redactRecording(entry: RecordedRequest): RecordedRequest {
  const headers = Object.fromEntries(Object.entries(entry.headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? redactHeader(k, v) : v]));
  return { ...entry, headers, body: redactBody(entry.body) };
}
