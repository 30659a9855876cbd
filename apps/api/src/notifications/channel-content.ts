import type { Channel } from "@notify/db";
import { countSmsSegments } from "@notify/jobs";
import { InputError } from "../errors.js";
import { pushPayloadSize, type PushContent } from "./push-payload.js";
import type { ContentInput } from "./send.input.js";

/** The content stored on a notification: only what its channel's provider will use. */
export type ChannelContent = Record<string, string | number>;

// Twilio refuses bodies over 1600 characters, whatever the segment count.
const SMS_MAX_CHARS = 1600;
const DATA_LIMIT = 16_384;
const PUSH_FIELDS = ["title", "body", "url", "badge", "sound", "priority", "ttlSeconds", "collapseKey"];
// Web Push's Topic header (RFC 8030 §5.4): at most 32 characters of the URL-safe base64 alphabet.
const WEB_PUSH_TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

export interface SmsPolicy {
  /** The most segments one SMS may be billed as (SMS_MAX_SEGMENTS); a longer body is refused at send time. */
  maxSegments: number;
}

/** Twilio's own ceiling: 1600 GSM-7 characters are 11 segments, 10 is where carriers start to balk. */
export const DEFAULT_SMS_POLICY: SmsPolicy = { maxSegments: 10 };
let smsPolicy: SmsPolicy = DEFAULT_SMS_POLICY;

/**
 * Set once at start-up from the API's environment. A module setting rather than a parameter
 * because every path that accepts content (sends, bulk, broadcasts, schedules, templates) checks
 * it through contentForChannel, and the policy is the same for all of them.
 */
export function configureSmsPolicy(policy: SmsPolicy): void {
  if (!Number.isInteger(policy.maxSegments) || policy.maxSegments < 1) throw new Error(`SMS maxSegments must be a positive integer, got ${policy.maxSegments}`);
  smsPolicy = policy;
}

/** What the template render pool's worker threads are configured with (they have their own module state). */
export function smsPolicyInUse(): SmsPolicy {
  return smsPolicy;
}

/** Checks that the content suits the channel and returns the channel's view of it. */
export function contentForChannel(channel: Channel, content: ContentInput, data: Record<string, unknown> | undefined): ChannelContent {
  const c = compact(content);
  const field = `content`;
  switch (channel) {
    case "EMAIL":
      if (!c.subject) throw new InputError("MISSING_CONTENT", "An email needs content.subject", `${field}.subject`);
      if (!c.body && !c.html) throw new InputError("MISSING_CONTENT", "An email needs content.body or content.html", `${field}.body`);
      return pickDefined(c, ["subject", "body", "html"]);
    case "SMS":
      if (!c.body) throw new InputError("MISSING_CONTENT", "An SMS needs content.body", `${field}.body`);
      checkSmsLength(c.body, `${field}.body`);
      return { body: c.body };
    case "IOS_PUSH":
    case "ANDROID_PUSH":
    case "WEB_PUSH":
    case "IN_APP": {
      if (!c.title && !c.body) throw new InputError("MISSING_CONTENT", `A ${channel} notification needs content.title or content.body`, `${field}.body`);
      // Delivery options (priority, ttl, collapse key) mean nothing to the in-app feed.
      if (channel === "IN_APP") return pickDefined(c, ["title", "body", "url", "badge", "sound"]);
      const out = pickDefined(c, PUSH_FIELDS);
      if (channel === "WEB_PUSH" && c.collapseKey !== undefined && !WEB_PUSH_TOPIC.test(String(c.collapseKey)))
        throw new InputError("INVALID_COLLAPSE_KEY", "For Web Push, content.collapseKey becomes the Topic header: at most 32 characters of A-Z a-z 0-9 - _", `${field}.collapseKey`);
      const { size, limit } = pushPayloadSize(channel, out as PushContent, data);
      if (size > limit)
        throw new InputError("PAYLOAD_TOO_LARGE", `The ${channel} payload would be ${size} bytes with its data; the provider accepts at most ${limit}`, field);
      return out;
    }
  }
}

/** Whether inline content is enough for a channel, for picking default channels. */
export function coversInline(channel: Channel, content: ContentInput, data: Record<string, unknown> | undefined): boolean {
  try {
    contentForChannel(channel, content, data);
    return true;
  } catch (err) {
    if (err instanceof InputError) return false;
    throw err;
  }
}

export function assertDataSize(data: Record<string, unknown> | undefined): void {
  if (data && Buffer.byteLength(JSON.stringify(data)) > DATA_LIMIT)
    throw new InputError("PAYLOAD_TOO_LARGE", `data is limited to ${DATA_LIMIT} bytes of JSON`, "data");
}

/** Twilio's character cap and the configured segment cap (GSM-7 160/153, UCS-2 70/67 per segment). */
function checkSmsLength(body: string, field: string): void {
  const chars = [...body].length;
  if (chars > SMS_MAX_CHARS) throw new InputError("PAYLOAD_TOO_LARGE", `An SMS body is at most ${SMS_MAX_CHARS} characters; this one has ${chars}`, field);
  const { encoding, segments } = countSmsSegments(body);
  if (segments > smsPolicy.maxSegments)
    throw new InputError(
      "PAYLOAD_TOO_LARGE",
      `This SMS body would be sent as ${segments} ${encoding} segments; the limit is ${smsPolicy.maxSegments} (SMS_MAX_SEGMENTS)`,
      field,
    );
}

function compact(content: ContentInput): Partial<Record<keyof ContentInput, string | number>> & { subject?: string; body?: string; html?: string; title?: string; collapseKey?: string } {
  return Object.fromEntries(Object.entries(content).filter(([, v]) => v !== undefined && v !== null && v !== "")) as never;
}

function pickDefined(obj: Record<string, unknown>, keys: string[]): ChannelContent {
  return Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k] as string | number]));
}
