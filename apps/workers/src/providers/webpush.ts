import type { Agent } from "node:https";
import webpush from "web-push";
import { DeadTargetError, PermanentProviderError, RetryableProviderError, retryAfterMs } from "./errors.js";
import type { Provider, ProviderReceipt, WebPushMessage } from "./provider.js";

export interface WebPushConfig {
  vapidPublicKey: string;
  vapidPrivateKey: string;
  /** mailto: or https: contact the push services can reach us at (RFC 8292 `sub`). */
  vapidSubject: string;
  /** Connections to push services; in sandbox mode one that trusts the sandbox CA. */
  agent?: Agent;
  timeoutMs?: number;
}

export class WebPushProvider implements Provider<WebPushMessage> {
  readonly name = "webpush";

  constructor(private readonly config: WebPushConfig) {}

  async send(message: WebPushMessage): Promise<ProviderReceipt> {
    const { config } = this;
    let result: webpush.SendResult;
    try {
      result = await webpush.sendNotification({ endpoint: message.endpoint, keys: message.keys }, message.payload, {
        vapidDetails: { subject: config.vapidSubject, publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey },
        TTL: message.ttlSeconds,
        urgency: message.urgency,
        topic: message.topic,
        agent: config.agent,
        timeout: config.timeoutMs ?? 30_000,
      });
    } catch (err) {
      throw classifyWebPushError(err);
    }
    // RFC 8030 §5: the push service names the message it accepted in Location.
    const location = result.headers.location;
    return { providerMessageId: (Array.isArray(location) ? location[0] : location) ?? `${result.statusCode}:${message.endpoint}` };
  }

  async close(): Promise<void> {
    this.config.agent?.destroy();
  }
}

/** Maps web-push's WebPushError (.statusCode, .headers) or a transport failure to our classes. */
export function classifyWebPushError(err: unknown): Error {
  if (err instanceof webpush.WebPushError) {
    const status = err.statusCode;
    const message = `Web Push ${status}: ${err.body || err.message}`.slice(0, 1000);
    // 404/410: the browser unsubscribed or the subscription expired; it will never come back.
    if (status === 404 || status === 410) return new DeadTargetError(message, String(status));
    if (status === 429 || status >= 500) return new RetryableProviderError(message, String(status), retryAfterMs(headerValue(err.headers, "retry-after")));
    // 413 payload too large, 400 malformed, 401/403 VAPID rejected: sending again changes nothing.
    return new PermanentProviderError(message, String(status));
  }
  const e = err as { code?: string; message?: string } | undefined;
  const message = `Web Push: ${e?.message ?? String(err)}`;
  // web-push destroys a request that outlived `timeout` with a bare Error("Socket timeout").
  if (e?.message === "Socket timeout") return new RetryableProviderError(message, "timeout");
  // Without a code, the error is web-push refusing its input before any request (subscription,
  // TTL, topic); ERR_CRYPTO_*/ERR_INVALID_* are keys that cannot encrypt. Retrying changes nothing.
  if (!e?.code || /^ERR_(CRYPTO|INVALID)_/.test(e.code)) return new PermanentProviderError(message, e?.code ?? "invalid_request");
  // Refused, reset, DNS, TLS: the push service never answered.
  return new RetryableProviderError(message, e.code);
}

function headerValue(headers: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}
