import { AsyncLocalStorage } from "node:async_hooks";
import { createPrivateKey } from "node:crypto";
import { ApnsClient, ApnsError, Errors, Host, Notification, Priority, PushType } from "apns2";
import { apnsPoolOptions, replaceApnsPool, type RedirectTarget } from "@notify/sdk-redirect";
import { Pool, type Dispatcher } from "undici";
import { DeadTargetError, PermanentProviderError, ProviderError, RetryableProviderError, retryAfterMs } from "./errors.js";
import type { Provider, ProviderReceipt, PushMessage } from "./provider.js";

export interface ApnsConfig {
  teamId: string;
  keyId: string;
  /** The token-signing key: the .p8 file's PEM text. */
  signingKey: string;
  /** The app's bundle id: the apns-topic unless a message names its own. */
  defaultTopic: string;
  /** Apple's production host, or its sandbox host for development builds of the app. */
  environment: "production" | "sandbox";
  /** Sandbox mode: send to this simulator instead of Apple, trusting its CA. */
  redirect?: RedirectTarget;
  /** Connect, response-headers and body timeout for each request. */
  timeoutMs?: number;
}

/** What one send adds to apns2's request, and what it reads back from the response. */
interface RequestContext {
  headers: Record<string, string>;
  response?: { statusCode: number; headers: Dispatcher.ResponseData["headers"] };
}

// APNs answers that mean the token itself will never work again for this app.
const DEAD_TOKEN_REASONS = new Set<string>([Errors.unregistered, Errors.badDeviceToken, Errors.deviceTokenNotForTopic]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * apns2 builds its headers from a fixed set of Notification fields: it has no apns-id, omits
 * apns-priority for 10 and drops the response headers (so no Retry-After). This Pool adds the
 * headers of the send that is running (carried through AsyncLocalStorage, so concurrent sends
 * on the shared HTTP/2 session never see each other's) and hands the response headers back.
 */
class ContextPool extends Pool {
  constructor(
    origin: string,
    options: Pool.Options,
    private readonly context: AsyncLocalStorage<RequestContext>,
  ) {
    super(origin, options);
  }

  override request<T = null>(options: Dispatcher.RequestOptions<T>, callback: (err: Error | null, data: Dispatcher.ResponseData<T>) => void): void;
  override request<T = null>(options: Dispatcher.RequestOptions<T>): Promise<Dispatcher.ResponseData<T>>;
  override request<T = null>(
    options: Dispatcher.RequestOptions<T>,
    callback?: (err: Error | null, data: Dispatcher.ResponseData<T>) => void,
  ): void | Promise<Dispatcher.ResponseData<T>> {
    const ctx = this.context.getStore();
    if (!ctx || callback) return callback ? super.request(options, callback) : super.request(options);
    const headers = { ...(options.headers as Record<string, string> | undefined), ...ctx.headers };
    return super.request({ ...options, headers }).then((res) => {
      ctx.response = { statusCode: res.statusCode, headers: res.headers };
      return res;
    });
  }
}

/**
 * iOS push through Apple's APNs provider API (HTTP/2, token auth) with the apns2 SDK. One
 * client per process: its HTTP/2 connections and its signed provider token (renewed by apns2
 * every 55 minutes) are reused by every send.
 */
export class ApnsPushProvider implements Provider<PushMessage> {
  readonly name = "apns";
  private readonly client: ApnsClient;
  private readonly context = new AsyncLocalStorage<RequestContext>();

  constructor(private readonly config: ApnsConfig) {
    try {
      createPrivateKey(config.signingKey);
    } catch (err) {
      // Found now rather than as a failed send per notification.
      throw new Error(`APNs: the signing key is not a PEM private key (.p8): ${(err as Error).message}`);
    }
    const host = config.environment === "production" ? Host.production : Host.development;
    this.client = new ApnsClient({ team: config.teamId, keyId: config.keyId, signingKey: config.signingKey, defaultTopic: config.defaultTopic, host });
    const timeout = config.timeoutMs ?? 10_000;
    const base = apnsPoolOptions(this.client, config.redirect?.ca);
    const options: Pool.Options = { ...base, headersTimeout: timeout, bodyTimeout: timeout, connect: { ...(base.connect as object), timeout } };
    const origin = config.redirect?.url ?? `https://${host}:443`;
    replaceApnsPool(this.client, new ContextPool(origin, options, this.context));
  }

  async send(message: PushMessage): Promise<ProviderReceipt> {
    const ctx: RequestContext = { headers: { "apns-priority": message.priority === "high" ? "10" : "5" } };
    if (UUID.test(message.messageId)) ctx.headers["apns-id"] = message.messageId.toLowerCase();
    try {
      await this.context.run(ctx, () => this.client.send(toNotification(message)));
    } catch (err) {
      throw classifyApnsError(err, ctx.response?.headers["retry-after"]);
    }
    const apnsId = header(ctx.response?.headers, "apns-id") ?? ctx.headers["apns-id"] ?? "";
    const uniqueId = header(ctx.response?.headers, "apns-unique-id");
    return { providerMessageId: apnsId, detail: uniqueId ? { apnsUniqueId: uniqueId } : undefined };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function toNotification(m: PushMessage): Notification {
  // Custom keys sit beside "aps" at the top level of the payload; "aps" itself is Apple's.
  const data: Record<string, string> = { ...m.data, ...(m.url ? { url: m.url } : {}) };
  delete data.aps;
  return new Notification(m.token, {
    type: PushType.alert,
    alert: m.title ? ({ title: m.title, body: m.body ?? "" }) : m.body,
    badge: m.badge,
    sound: m.sound,
    data,
    priority: m.priority === "high" ? Priority.immediate : Priority.throttled,
    expiration: m.expiresAt ? Math.floor(m.expiresAt.getTime() / 1000) : undefined,
    collapseId: m.collapseId,
    topic: m.topic,
  });
}

function header(headers: Dispatcher.ResponseData["headers"] | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Maps what apns2 threw (an ApnsError with APNs' status and reason, or a transport error) to our classes. */
export function classifyApnsError(err: unknown, retryAfter?: string | string[]): ProviderError {
  if (err instanceof ApnsError) {
    const { statusCode: status, reason } = err;
    const since = status === 410 && err.timestamp ? ` (token invalid since ${new Date(err.timestamp).toISOString()})` : "";
    const message = `APNs ${status} ${reason}${since}`;
    // An expired provider token is renewed by apns2 on this answer, so the next try succeeds.
    if (status === 429 || status >= 500 || reason === Errors.expiredProviderToken) {
      return new RetryableProviderError(message, reason, retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter));
    }
    if (status === 410 || DEAD_TOKEN_REASONS.has(reason)) return new DeadTargetError(message, reason);
    return new PermanentProviderError(message, reason);
  }
  const e = err as { code?: unknown; message?: string };
  const code = typeof e?.code === "string" ? e.code : "network";
  // fast-jwt could not sign the provider token: a configuration problem no retry fixes.
  if (code.startsWith("FAST_JWT")) return new PermanentProviderError(`APNs provider token: ${e.message}`, code);
  // Connection refused/reset, TLS failures, streams reset or timed out: the request may not have arrived.
  return new RetryableProviderError(`APNs: ${e?.message ?? String(err)}`, code);
}
