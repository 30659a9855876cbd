import twilio from "twilio";
import { countSmsSegments } from "@notify/jobs";
import { DeadTargetError, PermanentProviderError, RetryableProviderError, retryAfterMs } from "./errors.js";
import type { Provider, ProviderReceipt, SmsMessage } from "./provider.js";
import { TwilioRequestClient, type TwilioCallTrace } from "./twilio-request-client.js";

/** The sender: a number of the account, or a Messaging Service that picks one. */
export type TwilioSender = { fromNumber: string } | { messagingServiceSid: string };

export type TwilioConfig = TwilioSender & {
  accountSid: string;
  authToken: string;
  /** Origin to send API requests to instead of https://api.twilio.com (the sandbox simulator). */
  baseUrl?: string;
  timeoutMs?: number;
};

// Twilio error codes that mean the number itself can never receive our SMS.
// 21211 invalid To · 21408 region not enabled for it · 21610 recipient replied STOP ·
// 21612 not reachable from our sender · 21614 not a mobile number.
const DEAD_NUMBER_CODES = new Set([21211, 21408, 21610, 21612, 21614]);

export class TwilioSmsProvider implements Provider<SmsMessage> {
  readonly name = "twilio";
  private readonly http: TwilioRequestClient;
  private readonly client: twilio.Twilio;
  private readonly sender: { from: string } | { messagingServiceSid: string };

  constructor(config: TwilioConfig) {
    // The SDK's own 429 auto-retry stays off: BullMQ's backoff owns retries, and counts them.
    this.http = new TwilioRequestClient(config.baseUrl, { timeout: config.timeoutMs ?? 30_000, keepAlive: true });
    this.client = twilio(config.accountSid, config.authToken, { httpClient: this.http });
    this.sender = "fromNumber" in config ? { from: config.fromNumber } : { messagingServiceSid: config.messagingServiceSid };
  }

  async send(message: SmsMessage): Promise<ProviderReceipt> {
    const { result, error, trace } = await this.http.traced(() =>
      this.client.messages.create({ to: message.to, body: message.body, statusCallback: message.statusCallbackUrl, ...this.sender }),
    );
    if (!result) throw classifyTwilioError(error, trace);
    return { providerMessageId: result.sid, detail: { ...countSmsSegments(message.body) } };
  }
}

/** Maps a RestException (.status, .code = Twilio error code) or a transport failure to our classes. */
export function classifyTwilioError(err: unknown, trace: TwilioCallTrace = {}): Error {
  if (err instanceof twilio.RestException) {
    const status = err.status;
    const code = err.code;
    const message = `Twilio ${status}${code ? ` (${code})` : ""}: ${err.message}`;
    if (status === 429 || code === 20429 || status >= 500) {
      return new RetryableProviderError(message, String(code ?? status), retryAfterMs(trace.retryAfter));
    }
    if (code !== undefined && DEAD_NUMBER_CODES.has(code)) return new DeadTargetError(message, String(code));
    return new PermanentProviderError(message, String(code ?? status));
  }
  // No answer at all: refused, reset, timed out. The message may or may not have been queued.
  const e = err as { code?: string; message?: string } | undefined;
  return new RetryableProviderError(`Twilio: ${e?.message ?? String(err)}`, e?.code ?? "network");
}
