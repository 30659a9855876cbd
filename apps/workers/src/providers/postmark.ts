import { AsyncLocalStorage } from "node:async_hooks";
import { ServerClient, type Models } from "postmark";
import { DeadTargetError, PermanentProviderError, RetryableProviderError, retryAfterMs, type ProviderError } from "./errors.js";
import type { EmailMessage, Provider, ProviderReceipt, SendOutcome } from "./provider.js";

export interface PostmarkConfig {
  serverToken: string;
  /** host[:port] of the API; api.postmarkapp.com in production, the simulator in sandbox. */
  apiHost: string;
  useHttps: boolean;
  messageStream?: string;
  timeoutSeconds?: number;
}

// Postmark ErrorCodes that mean the address itself is dead.
// 406: inactive recipient (hard bounce / complaint / manual suppression).
const DEAD_ADDRESS_CODES = new Set([406]);

/** What the SDK's errors leave out of an answer: its Retry-After. One per call. */
interface CallTrace {
  retryAfter?: string;
}

export class PostmarkEmailProvider implements Provider<EmailMessage> {
  readonly name = "postmark";
  /** Postmark takes at most 500 messages per /email/batch call. */
  readonly maxBatchSize = 500;
  private readonly client: ServerClient;
  private readonly calls = new AsyncLocalStorage<CallTrace>();

  constructor(private readonly config: PostmarkConfig) {
    this.client = new ServerClient(config.serverToken, {
      requestHost: config.apiHost,
      useHttps: config.useHttps,
      timeout: config.timeoutSeconds ?? 30,
      // The SDK's errors keep the status and ErrorCode but not the headers; the fetch it lets us
      // supply notes Retry-After in the context of the call it belongs to (calls run concurrently).
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        const trace = this.calls.getStore();
        if (trace) trace.retryAfter = res.headers.get("retry-after") ?? undefined;
        return res;
      },
    });
  }

  /** Runs one SDK call, turning its failure into a ProviderError that knows the Retry-After. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    const trace: CallTrace = {};
    try {
      return await this.calls.run(trace, fn);
    } catch (err) {
      throw classifyPostmarkError(err, trace.retryAfter);
    }
  }

  async send(message: EmailMessage): Promise<ProviderReceipt> {
    const res = await this.call(() => this.client.sendEmail(this.toPostmark(message)));
    return { providerMessageId: res.MessageID };
  }

  /**
   * POST /email/batch: one answer per message, each with its own ErrorCode (406 inactive
   * recipient, 300 invalid address, ...). Postmark answers 200 even when some failed; a non-200
   * (429, 5xx, 401, timeout) is the whole call's failure.
   */
  async sendBatch(messages: EmailMessage[]): Promise<SendOutcome[]> {
    const results = await this.call(() => this.client.sendEmailBatch(messages.map((m) => this.toPostmark(m))));
    return results.map((r): SendOutcome =>
      r.ErrorCode === 0
        ? { ok: true, receipt: { providerMessageId: r.MessageID } }
        : { ok: false, error: classifyPostmarkCode(422, r.ErrorCode, `Postmark: ${r.Message}`) },
    );
  }

  private toPostmark(message: EmailMessage): Models.Message {
    return {
      From: message.from,
      To: message.to,
      Subject: message.subject,
      TextBody: message.text,
      HtmlBody: message.html,
      Headers: Object.entries(message.headers ?? {}).map(([Name, Value]) => ({ Name, Value })),
      Metadata: message.metadata,
      MessageStream: this.config.messageStream,
      TrackOpens: true,
    };
  }
}

/** Maps the postmark SDK's error (statusCode, code = Postmark ErrorCode) to our classes. */
export function classifyPostmarkError(err: unknown, retryAfter?: string): ProviderError {
  const e = err as { statusCode?: number; code?: number | string; message?: string };
  return classifyPostmarkCode(e.statusCode ?? 0, Number(e.code ?? 0), `Postmark: ${e.message ?? String(err)}`, retryAfter);
}

/** An HTTP status (0: no answer) and Postmark ErrorCode, for a whole call or one message of a batch. */
function classifyPostmarkCode(status: number, code: number, message: string, retryAfter?: string): ProviderError {
  if (status === 429 || status >= 500 || status === 0) {
    return new RetryableProviderError(message, String(status || "network"), retryAfterMs(retryAfter));
  }
  if (DEAD_ADDRESS_CODES.has(code)) return new DeadTargetError(message, String(code));
  return new PermanentProviderError(message, String(code || status));
}
