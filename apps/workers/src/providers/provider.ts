import type { QueuedChannel } from "@notify/jobs";
import type { ProviderError } from "./errors.js";

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

/** What became of one message of a batch. */
export type SendOutcome = { ok: true; receipt: ProviderReceipt } | { ok: false; error: ProviderError };

/**
 * One adapter per vendor, behind one interface per channel. Adapters translate the SDK's
 * answers into the error classes in errors.ts; they never touch Postgres or the queue.
 */
export interface Provider<M> {
  readonly name: string;
  send(message: M): Promise<ProviderReceipt>;
  /**
   * Several messages in one provider call (Postmark's /email/batch, FCM's sendEach), for vendors
   * that have one. Resolves with one outcome per message, in order: one message's failure never
   * fails the others. Throws (a ProviderError) only when the call as a whole failed, which then
   * is every message's outcome. See BatchingProvider for how sends are gathered into batches.
   */
  sendBatch?(messages: M[]): Promise<SendOutcome[]>;
  /** The most messages sendBatch takes in one call. */
  readonly maxBatchSize?: number;
  close?(): Promise<void>;
}

export type ProviderRegistry = { [C in QueuedChannel]?: Provider<ChannelMessages[C]> };
