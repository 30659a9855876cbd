import type { QueuedChannel } from "@notify/jobs";

export interface EmailMessage {
  to: string;
  from: string;
  subject: string;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
  /** Echoed back by provider webhooks, so events find their notification. */
  metadata: Record<string, string>;
}

export interface SmsMessage {
  to: string;
  body: string;
  statusCallbackUrl?: string;
}

export interface PushMessage {
  token: string;
  title?: string;
  body?: string;
  badge?: number;
  sound?: string;
  url?: string;
  data?: Record<string, string>;
  /** The attempt id: used as the provider's message id (apns-id) where it has one. */
  messageId: string;
  collapseId?: string;
  priority: "high" | "normal";
  expiresAt?: Date;
  /** iOS topic override (bundle id). */
  topic?: string;
}

export interface WebPushMessage {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  payload: string;
  ttlSeconds: number;
  urgency: "very-low" | "low" | "normal" | "high";
  topic?: string;
}

export interface ChannelMessages {
  EMAIL: EmailMessage;
  SMS: SmsMessage;
  IOS_PUSH: PushMessage;
  ANDROID_PUSH: PushMessage;
  WEB_PUSH: WebPushMessage;
}

export interface ProviderReceipt {
  providerMessageId: string;
  /** Anything worth keeping about the hand-off, e.g. SMS segment count. */
  detail?: Record<string, unknown>;
}

/**
 * One adapter per vendor, behind one interface per channel. Adapters translate the SDK's
 * answers into the error classes in errors.ts; they never touch Postgres or the queue.
 */
export interface Provider<M> {
  readonly name: string;
  send(message: M): Promise<ProviderReceipt>;
  close?(): Promise<void>;
}

export type ProviderRegistry = { [C in QueuedChannel]?: Provider<ChannelMessages[C]> };
