import { AsyncLocalStorage } from "node:async_hooks";
import twilio from "twilio";
import type BaseRequestClient from "twilio/lib/base/RequestClient.js";
import type * as TwilioHttpResponse from "twilio/lib/http/response.js";

/** What the last HTTP answer of one SDK call said, for the parts RestException drops. */
export interface TwilioCallTrace {
  status?: number;
  retryAfter?: string;
}

/**
 * The twilio SDK's HTTP client with two additions:
 * - `baseUrl` sends every request to another origin (the sandbox simulator); `region`/`edge`
 *   only rewrite *.twilio.com host names, so this is the one way to reach a local server.
 * - RestException keeps the status and body but not the headers, so the Retry-After of a 429/503
 *   would be lost. Each response's headers go to the trace of the call in progress, found
 *   through AsyncLocalStorage because concurrent sends share this client.
 */
export class TwilioRequestClient extends twilio.RequestClient {
  private readonly calls = new AsyncLocalStorage<TwilioCallTrace>();

  constructor(
    private readonly baseUrl: string | undefined,
    options: BaseRequestClient.RequestClientOptions = {},
  ) {
    super(options);
  }

  /** Runs one SDK call with a trace that collects what its HTTP answers said. */
  async traced<T>(call: () => Promise<T>): Promise<{ result?: T; error?: unknown; trace: TwilioCallTrace }> {
    const trace: TwilioCallTrace = {};
    try {
      return { result: await this.calls.run(trace, call), trace };
    } catch (error) {
      return { error, trace };
    }
  }

  override async request<TData>(opts: BaseRequestClient.RequestOptions<TData>): Promise<TwilioHttpResponse.default<TData>> {
    const uri = this.baseUrl ? rebase(opts.uri, this.baseUrl) : opts.uri;
    const response = await super.request<TData>({ ...opts, uri });
    const trace = this.calls.getStore();
    if (trace) {
      const headers = (response as { headers?: Record<string, unknown> }).headers ?? {};
      trace.status = response.statusCode;
      const retryAfter = headers["retry-after"];
      trace.retryAfter = retryAfter === undefined ? undefined : String(retryAfter);
    }
    return response;
  }
}

/** Keeps the path and query of a Twilio URL and replaces its origin. */
function rebase(uri: string, baseUrl: string): string {
  const from = new URL(uri);
  const to = new URL(baseUrl);
  from.protocol = to.protocol;
  from.host = to.host;
  return from.href;
}
