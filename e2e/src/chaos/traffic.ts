import type { KeyPair } from "../harness/stack.js";

const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { replayed notifications { id } } }`;

export type ChaosChannel = "EMAIL" | "SMS";

/** One logical send a caller makes: retried (and sometimes duplicated) with the same key. */
export interface SendSpec {
  key: string;
  externalId: string;
  channel: ChaosChannel;
}

export type SendOutcome =
  | { kind: "accepted"; id: string; replayed: boolean }
  /** The API refused it for good (e.g. the address was found dead earlier); nothing was written. */
  | { kind: "rejected"; code: string; reason: string }
  /** Still not accepted when the client gave up. */
  | { kind: "abandoned"; lastError: string };

/** What the callers saw, for the report and the assertions. */
export class TrafficStats {
  /** Requests made, retries included. */
  requests = 0;
  /** Failed requests by cause (network, HTTP status, GraphQL code): each one was retried. */
  transientErrors = new Map<string, number>();
  /** key → every notification id the API returned for it (more than one = idempotency broken). */
  idsByKey = new Map<string, Set<string>>();
  /** Refusals by reason, per request (a refused send and its duplicates count once each). */
  rejected = new Map<string, number>();
  /** key → the reason its send was refused (a key also in idsByKey was answered both ways). */
  refusedKeys = new Map<string, string>();
  abandoned: { key: string; lastError: string }[] = [];
  duplicateRequests = 0;
  replayed = 0;

  noteError(cause: string): void {
    this.transientErrors.set(cause, (this.transientErrors.get(cause) ?? 0) + 1);
  }

  get acceptedIds(): Set<string> {
    const ids = new Set<string>();
    for (const set of this.idsByKey.values()) for (const id of set) ids.add(id);
    return ids;
  }
}

function content(spec: SendSpec) {
  // The key in the text lets the provider tap tie an SMS (which carries no metadata) to its send.
  const text = `chaos message ${spec.key}`;
  return spec.channel === "EMAIL" ? { subject: `chaos ${spec.key}`, body: text } : { body: text };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A caller that behaves like a well-written service: every send carries an idempotency key, and
 * anything that is not a definite answer (connection refused, timeout, 5xx, an internal error
 * while Postgres restarts) is retried with the same key until the API accepts or refuses it.
 */
export class TrafficClient {
  constructor(
    private readonly apiUrl: string,
    private readonly key: Pick<KeyPair, "appKey" | "appSecret">,
    readonly stats: TrafficStats,
    private readonly giveUpAfterMs: number,
  ) {}

  async send(spec: SendSpec): Promise<SendOutcome> {
    const input = { externalId: spec.externalId, channels: [spec.channel], content: content(spec), idempotencyKey: spec.key };
    const deadline = Date.now() + this.giveUpAfterMs;
    let delay = 100;
    let lastError = "";
    while (Date.now() < deadline) {
      this.stats.requests++;
      const cause = await this.once(input).then(
        (r) => r,
        (err: Error) => `network:${err.name === "TimeoutError" ? "timeout" : ((err.cause as { code?: string } | undefined)?.code ?? err.name)}`,
      );
      if (typeof cause !== "string") {
        if (cause.kind === "accepted") {
          const ids = this.stats.idsByKey.get(spec.key) ?? new Set<string>();
          ids.add(cause.id);
          this.stats.idsByKey.set(spec.key, ids);
          if (cause.replayed) this.stats.replayed++;
        } else if (cause.kind === "rejected") {
          this.stats.rejected.set(cause.reason, (this.stats.rejected.get(cause.reason) ?? 0) + 1);
          this.stats.refusedKeys.set(spec.key, cause.reason);
        }
        return cause;
      }
      lastError = cause;
      this.stats.noteError(cause);
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 2_000);
    }
    this.stats.abandoned.push({ key: spec.key, lastError });
    return { kind: "abandoned", lastError };
  }

  /** One HTTP request: an outcome, or a string naming why it must be retried. */
  private async once(input: unknown): Promise<Exclude<SendOutcome, { kind: "abandoned" }> | string> {
    const res = await fetch(`${this.apiUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-app-key": this.key.appKey, "x-app-secret": this.key.appSecret },
      body: JSON.stringify({ query: SEND, variables: { input } }),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let body: { data?: { sendNotification?: { replayed: boolean; notifications: { id: string }[] } } | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
    try {
      body = JSON.parse(text);
    } catch {
      return `http:${res.status}`;
    }
    const sent = body.data?.sendNotification;
    if (sent && !body.errors?.length) {
      if (sent.notifications.length !== 1) throw new Error(`expected one notification per send, got ${JSON.stringify(sent)}`);
      return { kind: "accepted", id: sent.notifications[0]!.id, replayed: sent.replayed };
    }
    const error = body.errors?.[0];
    const code = String(error?.extensions?.code ?? `http:${res.status}`);
    if (code === "BAD_USER_INPUT" || code === "CONFLICT") {
      return { kind: "rejected", code, reason: String(error?.extensions?.reason ?? error?.message) };
    }
    return `graphql:${code}`;
  }
}

export async function upsertRecipient(apiUrl: string, key: Pick<KeyPair, "appKey" | "appSecret">, input: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-app-key": key.appKey, "x-app-secret": key.appSecret },
    body: JSON.stringify({ query: `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`, variables: { input } }),
  });
  const body = (await res.json()) as { errors?: unknown[] };
  if (body.errors?.length) throw new Error(`upsertRecipient failed: ${JSON.stringify(body.errors)}`);
}
