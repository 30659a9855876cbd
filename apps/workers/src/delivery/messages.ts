import type { QueuedChannel } from "@notify/jobs";
import type { ChannelMessages, PushMessage } from "../providers/provider.js";
import type { Claimed } from "./claim.js";
import { listUnsubscribeHeaders, type UnsubscribeConfig } from "./list-unsubscribe.js";
import type { Target } from "./targets.js";

export interface MessageDefaults {
  emailFrom: string;
  smsStatusCallbackUrl?: string;
  /** Signs List-Unsubscribe links; emails go without them when absent. */
  unsubscribe?: UnsubscribeConfig;
}

/** Per-notification facts the delivery has looked up that shape the message. */
export interface MessageContext {
  /** A required category's emails carry no unsubscribe link: there is nothing to leave. */
  categoryRequired?: boolean;
}

type Content = Record<string, string | number | undefined>;

/** Push data must be string → string for APNs custom keys and FCM alike. */
function stringData(data: unknown): Record<string, string> | undefined {
  if (!data || typeof data !== "object") return undefined;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

type Builder<C extends QueuedChannel> = (n: Claimed, target: Target, attemptId: string, defaults: MessageDefaults, context: MessageContext) => ChannelMessages[C];

const text = (n: Claimed, key: string): string | undefined => {
  const v = (n.content as Content)[key];
  return v === undefined ? undefined : String(v);
};

/** A push's time to live counts from when it was asked for (or scheduled for), not from this try. */
const expiry = (n: Claimed): Date | undefined => {
  const ttl = (n.content as Content).ttlSeconds;
  if (ttl === undefined) return undefined;
  return new Date((n.scheduledAt ?? n.createdAt).getTime() + Number(ttl) * 1000);
};

const priority = (n: Claimed): "high" | "normal" => (text(n, "priority") === "normal" ? "normal" : "high");

const push = (n: Claimed, target: Target, attemptId: string): PushMessage => {
  const badge = (n.content as Content).badge;
  return {
    token: target.address,
    title: text(n, "title"),
    body: text(n, "body"),
    url: text(n, "url"),
    sound: text(n, "sound"),
    badge: badge === undefined ? undefined : Number(badge),
    data: { ...stringData(n.data), notificationId: n.id },
    messageId: attemptId,
    priority: priority(n),
    expiresAt: expiry(n),
    collapseId: text(n, "collapseKey"),
    topic: target.device?.appBundleId ?? undefined,
  };
};

/** Web Push needs a TTL header; a day when the sender gave none, and what is left of it on a retry. */
function webPushTtl(n: Claimed): number {
  const until = expiry(n);
  if (!until) return 24 * 3600;
  return Math.max(0, Math.round((until.getTime() - Date.now()) / 1000));
}

/** Builds the provider-neutral message for one target from the stored, rendered content. */
const builders: { [C in QueuedChannel]: Builder<C> } = {
  EMAIL: (n, target, attemptId, defaults, context) => ({
    to: target.address,
    from: defaults.emailFrom,
    subject: text(n, "subject")!,
    text: text(n, "body"),
    html: text(n, "html"),
    metadata: { appId: n.appId, notificationId: n.id, attemptId },
    headers: defaults.unsubscribe && !context.categoryRequired ? listUnsubscribeHeaders(n, defaults.unsubscribe) : undefined,
  }),
  SMS: (n, target, _attemptId, defaults) => ({ to: target.address, body: text(n, "body")!, statusCallbackUrl: defaults.smsStatusCallbackUrl }),
  // A retry after a lost outcome (see README, "Delivery guarantees") is collapsed into the first on
  // the device when both arrive: APNs shows one notification per collapse id. Not for FCM, which
  // keeps only four collapse keys per offline device and would drop the rest.
  IOS_PUSH: (n, target, attemptId) => ({ ...push(n, target, attemptId), collapseId: text(n, "collapseKey") ?? n.id }),
  ANDROID_PUSH: push,
  WEB_PUSH: (n, target) => ({
    endpoint: target.address,
    keys: target.device?.webPushKeys as { p256dh: string; auth: string },
    payload: JSON.stringify({ title: text(n, "title"), body: text(n, "body"), url: text(n, "url"), data: n.data ?? undefined, notificationId: n.id }),
    ttlSeconds: webPushTtl(n),
    // Web Push has always gone as normal urgency; only an explicit HIGH raises it.
    urgency: text(n, "priority") === "high" ? "high" : "normal",
    // Likewise a push service replaces a still-undelivered message that has the same topic (≤ 32 URL-safe characters).
    topic: text(n, "collapseKey") ?? n.id.replaceAll("-", ""),
  }),
};

export function buildMessage<C extends QueuedChannel>(
  channel: C,
  n: Claimed,
  target: Target,
  attemptId: string,
  defaults: MessageDefaults,
  context: MessageContext = {},
): ChannelMessages[C] {
  return (builders[channel] as Builder<C>)(n, target, attemptId, defaults, context);
}
