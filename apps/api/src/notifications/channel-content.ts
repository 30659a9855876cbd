import type { Channel } from "@notify/db";
import { InputError } from "../errors.js";
import type { ContentInput } from "./send.input.js";

/** The content stored on a notification: only what its channel's provider will use. */
export type ChannelContent = Record<string, string | number>;

// APNs and FCM refuse payloads over 4 KB; Web Push services guarantee 4 KB before encryption
// overhead. Measured on what the worker will really send, data included.
const PUSH_PAYLOAD_LIMIT = 4096;
// Twilio refuses bodies over 1600 characters (it splits into at most 10 segments).
const SMS_MAX_CHARS = 1600;
const DATA_LIMIT = 16_384;
const NOTIFICATION_ID_SIZED = "00000000-0000-0000-0000-000000000000";

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
      if ([...c.body].length > SMS_MAX_CHARS)
        throw new InputError("PAYLOAD_TOO_LARGE", `An SMS body is at most ${SMS_MAX_CHARS} characters`, `${field}.body`);
      return { body: c.body };
    case "IOS_PUSH":
    case "ANDROID_PUSH":
    case "WEB_PUSH":
    case "IN_APP": {
      if (!c.title && !c.body) throw new InputError("MISSING_CONTENT", `A ${channel} notification needs content.title or content.body`, `${field}.body`);
      const out = pickDefined(c, ["title", "body", "url", "badge", "sound"]);
      if (channel !== "IN_APP") {
        // The worker adds the notification id to the data; count it so the provider never sees more than we checked.
        const size = Buffer.byteLength(JSON.stringify({ aps: { alert: out }, ...(data ?? {}), notificationId: NOTIFICATION_ID_SIZED }));
        if (size > PUSH_PAYLOAD_LIMIT)
          throw new InputError("PAYLOAD_TOO_LARGE", `Push payload is ${size} bytes; the limit is ${PUSH_PAYLOAD_LIMIT}`, field);
      }
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

function compact(content: ContentInput): Partial<Record<keyof ContentInput, string | number>> & { subject?: string; body?: string; html?: string; title?: string } {
  return Object.fromEntries(Object.entries(content).filter(([, v]) => v !== undefined && v !== null && v !== "")) as never;
}

function pickDefined(obj: Record<string, unknown>, keys: string[]): ChannelContent {
  return Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k] as string | number]));
}
