import type { Agent } from "node:https";
import { ENDPOINT_UNREACHABLE, isEgressRefusal, unreachableMessage, type EgressPolicy } from "@notify/egress";
import { webPushAgent } from "@notify/sdk-redirect";
import webpush from "web-push";
import { DeadTargetError, PermanentProviderError, RetryableProviderError, retryAfterMs } from "./errors.js";
import type { Provider, ProviderReceipt, WebPushMessage } from "./provider.js";

export interface WebPushConfig {
  vapidPublicKey: string;
  vapidPrivateKey: string;
  /** mailto: or https: contact the push services can reach us at (RFC 8292 `sub`). */
  vapidSubject: string;
  /**
   * Which endpoints may be connected to. Endpoints come from subscriptions users registered, so
   * every connection goes through it: the resolved address is checked at connect time (a name
   * accepted at registration can resolve to 127.0.0.1 later).
   */
  egress: EgressPolicy;
  /** Sandbox mode: the sandbox CA, the only one the simulator's certificate chains to. */
  ca?: string;
  timeoutMs?: number;
}

export class WebPushProvider implements Provider<WebPushMessage> {
  readonly name = "webpush";
  private readonly agent: Agent;

  constructor(private readonly config: WebPushConfig) {
    this.agent = webPushAgent(config.egress, config.ca);
  }

  async send(message: WebPushMessage): Promise<ProviderReceipt> {
    const { config } = this;
    let result: webpush.SendResult;
    try {
      result = await webpush.sendNotification({ endpoint: message.endpoint, keys: message.keys }, message.payload, {
        vapidDetails: { subject: config.vapidSubject, publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey },
        TTL: message.ttlSeconds,
        urgency: message.urgency,
        topic: message.topic,
        agent: this.agent,
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
    this.agent.destroy();
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
  // The egress policy refused the endpoint (not a push service, or it resolved to a private
  // address): it will not become one, so the device is dead. The message names the rule only.
  if (isEgressRefusal(err)) return new DeadTargetError(`Web Push: ${err.message}`, err.reason);
  const e = err as { code?: string; message?: string } | undefined;
  // web-push destroys a request that outlived `timeout` with a bare Error("Socket timeout").
  if (e?.message === "Socket timeout") return unreachable();
  // Without a code, the error is web-push refusing its input before any request (subscription,
  // TTL, topic); ERR_CRYPTO_*/ERR_INVALID_* are keys that cannot encrypt. Retrying changes nothing.
  if (!e?.code || /^ERR_(CRYPTO|INVALID)_/.test(e.code)) return new PermanentProviderError(`Web Push: ${e?.message ?? String(err)}`, e?.code ?? "invalid_request");
  // Refused, reset, DNS, TLS, timeout: the push service never answered. One code and message
  // for all of them: the endpoint is a user-given address, and ECONNREFUSED vs ECONNRESET in a
  // stored error would tell its owner which ports are open behind it.
  return unreachable();
}

const unreachable = () => new RetryableProviderError(unreachableMessage("Web Push"), ENDPOINT_UNREACHABLE);

function headerValue(headers: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}
