import type { Channel } from "@notify/db";

/**
 * The size each push service will measure, computed on the message the workers will build
 * (apps/workers/src/delivery/messages.ts and the apns / fcm / webpush adapters), so a payload
 * that passes here is never refused by the provider for its size, and one that would be is
 * refused at send time with a clear error instead. e2e/src/payload-limits.test.ts sends payloads
 * exactly at each limit through the simulators, which count the way the providers do.
 */

/** APNs (alert pushes) and FCM (the message without its token) both refuse more than 4 KB. */
export const PUSH_PAYLOAD_LIMIT = 4096;
/**
 * Web Push services accept 4096 bytes of encrypted body; aes128gcm (RFC 8188) adds an 86-byte
 * header, a 1-byte record delimiter and a 16-byte tag to the plaintext.
 */
export const WEB_PUSH_PLAINTEXT_LIMIT = 4096 - 86 - 1 - 16;

export type PushChannel = Extract<Channel, "IOS_PUSH" | "ANDROID_PUSH" | "WEB_PUSH">;

/** The push fields of a notification's stored content. */
export interface PushContent {
  title?: string;
  body?: string;
  url?: string;
  badge?: number;
  sound?: string;
  priority?: string;
  ttlSeconds?: number;
  collapseKey?: string;
}

// The workers add the notification id to the data; a uuid is always this long.
const NOTIFICATION_ID = "00000000-0000-0000-0000-000000000000";

/** Push data travels as string → string (APNs custom keys, FCM data): non-strings as their JSON. */
function stringData(data: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

function pushData(c: PushContent, data: Record<string, unknown> | undefined): Record<string, string> {
  return { ...stringData(data), notificationId: NOTIFICATION_ID, ...(c.url ? { url: c.url } : {}) };
}

/** apns2's Notification.buildApnsOptions(): aps plus the custom keys beside it. */
function apnsPayload(c: PushContent, data: Record<string, unknown> | undefined): unknown {
  const custom: Record<string, string> = pushData(c, data);
  delete custom.aps;
  const aps: Record<string, unknown> = { alert: c.title ? { title: c.title, body: c.body ?? "" } : c.body };
  if (c.sound !== undefined) aps.sound = c.sound;
  if (c.badge !== undefined) aps.badge = c.badge;
  return { aps, ...custom };
}

/** The FCM v1 message as firebase-admin puts it on the wire, less the token (which FCM does not count). */
function fcmPayload(c: PushContent, data: Record<string, unknown> | undefined): unknown {
  const android: Record<string, unknown> = { priority: c.priority ?? "high" };
  // The ttl counts down from acceptance, so the longest it can be on the wire is what was asked.
  if (c.ttlSeconds !== undefined) android.ttl = `${c.ttlSeconds}s`;
  if (c.collapseKey !== undefined) android.collapse_key = c.collapseKey;
  if (c.sound !== undefined || c.badge !== undefined) {
    android.notification = { ...(c.sound !== undefined ? { sound: c.sound } : {}), ...(c.badge !== undefined ? { notification_count: c.badge } : {}) };
  }
  const notification = c.title !== undefined || c.body !== undefined ? { notification: { title: c.title, body: c.body } } : {};
  return { data: pushData(c, data), android, ...notification };
}

/** The JSON the workers encrypt for the browser's service worker. */
function webPushPayload(c: PushContent, data: Record<string, unknown> | undefined): unknown {
  return { title: c.title, body: c.body, url: c.url, data, notificationId: NOTIFICATION_ID };
}

/** Bytes the channel's push service will count, and the most it accepts. */
export function pushPayloadSize(channel: PushChannel, c: PushContent, data: Record<string, unknown> | undefined): { size: number; limit: number } {
  switch (channel) {
    case "IOS_PUSH":
      return { size: Buffer.byteLength(JSON.stringify(apnsPayload(c, data))), limit: PUSH_PAYLOAD_LIMIT };
    case "ANDROID_PUSH":
      return { size: Buffer.byteLength(JSON.stringify(fcmPayload(c, data))), limit: PUSH_PAYLOAD_LIMIT };
    case "WEB_PUSH":
      return { size: Buffer.byteLength(JSON.stringify(webPushPayload(c, data))), limit: WEB_PUSH_PLAINTEXT_LIMIT };
  }
}
