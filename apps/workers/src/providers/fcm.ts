import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { cert, deleteApp, initializeApp, type FirebaseError } from "firebase-admin/app";
import { getMessaging, type AndroidConfig, type Message, type Messaging } from "firebase-admin/messaging";
import { createSandboxFirebase, type RedirectTarget, type ServiceAccountJson } from "@notify/sdk-redirect";
import { DeadTargetError, PermanentProviderError, ProviderError, RetryableProviderError, retryAfterMs } from "./errors.js";
import type { Provider, ProviderReceipt, PushMessage, SendOutcome } from "./provider.js";

export interface FcmConfig {
  /** The Firebase service account: the path of its JSON key file, or the parsed JSON. */
  serviceAccount: string | ServiceAccountJson;
  /** Sandbox mode: messages and the OAuth token exchange go to this simulator, trusting its CA. */
  redirect?: RedirectTarget;
}

// firebase-admin codes that mean the registration token will never work again.
const DEAD_TOKEN_CODES = new Set(["messaging/registration-token-not-registered", "messaging/invalid-registration-token"]);
const RETRYABLE_CODES = new Set([
  "messaging/message-rate-exceeded",
  "messaging/device-message-rate-exceeded",
  "messaging/server-unavailable",
  "messaging/internal-error",
  "app/network-error",
  "app/network-timeout",
]);
// FCM answers a malformed token with INVALID_ARGUMENT and this text (its documented way to tell it apart).
const BAD_TOKEN_MESSAGE = /registration token/i;

/**
 * Android push through FCM HTTP v1 with firebase-admin's messaging `send()`, or `sendEach()` for
 * a batch. One firebase app per provider: its OAuth access token (exchanged for the service
 * account's signed JWT) is cached and refreshed by the SDK.
 */
export class FcmPushProvider implements Provider<PushMessage> {
  readonly name = "fcm";

  private constructor(
    private readonly messaging: Messaging,
    private readonly closeApp: () => Promise<void>,
  ) {
    disableSdkRetries(messaging);
  }

  static async create(config: FcmConfig): Promise<FcmPushProvider> {
    const appName = `notify-fcm-${randomUUID()}`;
    if (config.redirect) {
      const serviceAccount = typeof config.serviceAccount === "string" ? await readJson(config.serviceAccount) : config.serviceAccount;
      const fb = await createSandboxFirebase({ ...config.redirect, serviceAccount, appName });
      return new FcmPushProvider(fb.messaging, () => fb.close());
    }
    const app = initializeApp({ credential: cert(config.serviceAccount as Parameters<typeof cert>[0]) }, appName);
    return new FcmPushProvider(getMessaging(app), () => deleteApp(app));
  }

  async send(message: PushMessage): Promise<ProviderReceipt> {
    try {
      const name = await this.messaging.send(toFcmMessage(message));
      return { providerMessageId: name };
    } catch (err) {
      throw classifyFcmError(err);
    }
  }

  /** sendEach's limit. */
  readonly maxBatchSize = 500;

  /**
   * sendEach: FCM v1 has no batch endpoint any more, so the SDK sends one request per message,
   * all at once over one HTTP/2 connection (HTTP/1.1 in sandbox mode, see @notify/sdk-redirect),
   * and reports each message's success or error separately.
   */
  async sendBatch(messages: PushMessage[]): Promise<SendOutcome[]> {
    try {
      const { responses } = await this.messaging.sendEach(messages.map(toFcmMessage));
      return responses.map((r): SendOutcome => (r.success ? { ok: true, receipt: { providerMessageId: r.messageId! } } : { ok: false, error: classifyFcmError(r.error) }));
    } catch (err) {
      throw classifyFcmError(err);
    }
  }

  async close(): Promise<void> {
    await this.closeApp();
  }
}

export function toFcmMessage(m: PushMessage): Message {
  const android: AndroidConfig = { priority: m.priority };
  if (m.expiresAt) android.ttl = Math.max(0, Math.round((m.expiresAt.getTime() - Date.now()) / 1000)) * 1000;
  if (m.collapseId) android.collapseKey = m.collapseId;
  if (m.sound !== undefined || m.badge !== undefined) {
    android.notification = { ...(m.sound !== undefined ? { sound: m.sound } : {}), ...(m.badge !== undefined ? { notificationCount: m.badge } : {}) };
  }
  const message: Message = { token: m.token, data: { ...m.data, ...(m.url ? { url: m.url } : {}) }, android };
  if (m.title !== undefined || m.body !== undefined) {
    message.notification = { ...(m.title !== undefined ? { title: m.title } : {}), ...(m.body !== undefined ? { body: m.body } : {}) };
  }
  return message;
}

/** Maps firebase-admin's error codes (messaging/*, app/*) to our classes. */
export function classifyFcmError(err: unknown): ProviderError {
  const e = err as Partial<FirebaseError> & { cause?: { code?: unknown; response?: { status?: number }; status?: number } };
  const code = typeof e?.code === "string" ? e.code : "unknown";
  const status = e.httpResponse?.status;
  const message = `FCM ${code}${status ? ` (${status})` : ""}: ${e?.message ?? String(err)}`;
  const retryAfter = e.httpResponse?.headers?.["retry-after"] as string | undefined;
  if (DEAD_TOKEN_CODES.has(code)) return new DeadTargetError(message, code);
  if (code === "messaging/invalid-argument" && BAD_TOKEN_MESSAGE.test(e.message ?? "")) return new DeadTargetError(message, code);
  if (RETRYABLE_CODES.has(code)) return new RetryableProviderError(message, code, retryAfterMs(retryAfter));
  if (code === "app/invalid-credential") {
    // The token exchange failed: Google refusing the key is permanent, not reaching Google is not.
    const tokenStatus = e.cause?.response?.status ?? e.cause?.status;
    if (tokenStatus === undefined || tokenStatus >= 500 || tokenStatus === 429) return new RetryableProviderError(message, code);
    return new PermanentProviderError(message, code);
  }
  if (status !== undefined && (status === 429 || status >= 500)) return new RetryableProviderError(message, code, retryAfterMs(retryAfter));
  if (status === undefined && !code.startsWith("messaging/")) return new RetryableProviderError(message, code);
  // third-party-auth-error, mismatched-credential, invalid-argument on the payload, payload too large, ...
  return new PermanentProviderError(message, code);
}

/**
 * firebase-admin retries 503s and connection resets itself (4 times, 0.5–4 s apart) inside one
 * send(), and inside each message of a sendEach(). Delivery already retries with its own backoff
 * and records every hand-off as a DeliveryAttempt, so a second, hidden retry layer would only hold the worker slot for seconds
 * and hide failures from the attempt history. The SDK has no option for this; the retry policy
 * is a field of its HTTP client, and null is the value its own code treats as "never retry".
 */
function disableSdkRetries(messaging: Messaging): void {
  type Client = { retry?: unknown } | undefined;
  const handler = (messaging as unknown as { messagingRequestHandler?: { httpClient?: Client; http2Client?: Client } }).messagingRequestHandler;
  // httpClient: send(), and sendEach() in sandbox mode; http2Client: sendEach() against the real FCM.
  for (const client of [handler?.httpClient, handler?.http2Client]) if (client && "retry" in client) client.retry = null;
}

async function readJson(file: string): Promise<ServiceAccountJson> {
  return JSON.parse(await readFile(file, "utf8")) as ServiceAccountJson;
}
