import { ServerClient } from "postmark";
import { DeadTargetError, PermanentProviderError, RetryableProviderError, retryAfterMs } from "./errors.js";
import type { EmailMessage, Provider, ProviderReceipt } from "./provider.js";

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

export class PostmarkEmailProvider implements Provider<EmailMessage> {
  readonly name = "postmark";
  private readonly client: ServerClient;

  constructor(private readonly config: PostmarkConfig) {
    this.client = new ServerClient(config.serverToken, {
      requestHost: config.apiHost,
      useHttps: config.useHttps,
      timeout: config.timeoutSeconds ?? 30,
    });
  }

  async send(message: EmailMessage): Promise<ProviderReceipt> {
    try {
      const res = await this.client.sendEmail({
        From: message.from,
        To: message.to,
        Subject: message.subject,
        TextBody: message.text,
        HtmlBody: message.html,
        Headers: Object.entries(message.headers ?? {}).map(([Name, Value]) => ({ Name, Value })),
        Metadata: message.metadata,
        MessageStream: this.config.messageStream,
        TrackOpens: true,
      });
      return { providerMessageId: res.MessageID };
    } catch (err) {
      throw classifyPostmarkError(err);
    }
  }
}

/** Maps the postmark SDK's error (statusCode, code = Postmark ErrorCode) to our classes. */
export function classifyPostmarkError(err: unknown): Error {
  const e = err as { statusCode?: number; code?: number | string; message?: string; response?: { headers?: Record<string, string> } };
  const status = e.statusCode ?? 0;
  const code = Number(e.code ?? 0);
  const message = `Postmark: ${e.message ?? String(err)}`;
  if (status === 429 || status >= 500 || status === 0) {
    return new RetryableProviderError(message, String(status || "network"), retryAfterMs(e.response?.headers?.["retry-after"]));
  }
  if (DEAD_ADDRESS_CODES.has(code)) return new DeadTargetError(message, String(code));
  return new PermanentProviderError(message, String(code || status));
}
