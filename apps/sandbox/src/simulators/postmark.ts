import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SandboxCredentials } from "../credentials.js";
import type { FaultRule } from "../core/faults.js";
import { BodyTooLargeError, headersOf, holdThenDrop, httpUrl, readBody, sendJson, startHttpServer, Timers } from "../core/http.js";
import type { ControlRequest, ControlResponse, RunningSimulator, SimulatorContext } from "../core/simulator.js";
import {
  bareAddress,
  inactiveRecipientError,
  INVALID_REQUEST,
  recipientTarget,
  validateEmail,
  type PostmarkError,
  type PostmarkMessage,
} from "./postmark-email.js";
import {
  BOUNCE_TYPES,
  postWebhook,
  WEBHOOK_RECORD_TYPES,
  webhookPayload,
  type BounceType,
  type SentEmail,
  type WebhookRecordType,
} from "./postmark-webhooks.js";

export interface PostmarkSimulatorOptions {
  host: string;
  port: number;
  credentials: SandboxCredentials;
  /** Where Delivery (and triggered) webhooks go; none are sent when absent. */
  webhookUrl?: string;
  /** Delay between accepting a message and its Delivery webhook. */
  deliveryDelayMs?: number;
}

const SERVER_ID = 1;
const MAX_BATCH = 500;
const MAX_REMEMBERED = 10_000;

type Reply = { status: number; body: PostmarkError | Record<string, unknown>; headers?: Record<string, string> };

const tokenMissing: PostmarkError = {
  ErrorCode: 10,
  Message: "No Account or Server API tokens were supplied in the HTTP headers. Please add a header for either X-Postmark-Server-Token or X-Postmark-Account-Token.",
};
const tokenInvalid: PostmarkError = {
  ErrorCode: 10,
  Message: "The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.",
};

/** What an injected fault looks like coming from Postmark; undefined for timeout (no answer). */
function faultReply(rule: FaultRule, target: string): Reply | undefined {
  switch (rule.kind) {
    case "rate_limit":
      return {
        status: 429,
        body: { ErrorCode: 429, Message: "Rate limit exceeded. Please slow down and retry later." },
        headers: { "Retry-After": String(rule.retryAfterSeconds ?? 1) },
      };
    case "server_error":
      return { status: 500, body: { ErrorCode: 500, Message: "Internal server error." } };
    case "unavailable":
      return {
        status: 503,
        body: { ErrorCode: 503, Message: "Service unavailable. Postmark is temporarily down for maintenance." },
        headers: rule.retryAfterSeconds === undefined ? undefined : { "Retry-After": String(rule.retryAfterSeconds) },
      };
    case "invalid_target":
      return { status: 422, body: inactiveRecipientError([target]) };
    case "bad_request":
      return { status: 422, body: { ErrorCode: INVALID_REQUEST, Message: `Invalid 'To' address: '${target}'.` } };
    case "auth":
      return { status: 401, body: tokenInvalid };
    case "timeout":
      return undefined;
  }
}

/** Faults that answer for the whole HTTP request rather than one message of a batch. */
const requestLevel = (rule: FaultRule) => !["invalid_target", "bad_request"].includes(rule.kind);

const targetOf = (msg: PostmarkMessage) => recipientTarget(msg.To);

export async function startPostmarkSimulator(ctx: SimulatorContext, opts: PostmarkSimulatorOptions): Promise<RunningSimulator> {
  const { serverToken, webhookUsername, webhookPassword } = opts.credentials.postmark;
  const timers = new Timers();
  const sent = new Map<string, SentEmail>();
  const inactive = new Set<string>();
  let eventId = 1;

  const remember = (email: SentEmail) => {
    sent.set(email.messageId, email);
    if (sent.size > MAX_REMEMBERED) sent.delete(sent.keys().next().value!);
  };

  async function sendWebhook(url: string, email: SentEmail, recordType: WebhookRecordType, extra: { recipient: string; bounceType?: BounceType; link?: string }) {
    const payload = webhookPayload(email, { recordType, serverId: SERVER_ID, eventId: eventId++, ...extra });
    const status = await postWebhook(url, { username: webhookUsername, password: webhookPassword }, payload);
    return { status, payload };
  }

  function scheduleDelivery(email: SentEmail) {
    const url = opts.webhookUrl;
    if (!url) return;
    timers.after(opts.deliveryDelayMs ?? 100, () => {
      for (const recipient of email.recipients) {
        sendWebhook(url, email, "Delivery", { recipient }).then(
          ({ status }) => {
            if (status >= 300) ctx.logger?.warn({ url, status, messageId: email.messageId }, "postmark delivery webhook was not accepted");
          },
          (err: unknown) => ctx.logger?.warn({ url, err, messageId: email.messageId }, "postmark delivery webhook failed"),
        );
      }
    });
  }

  /** Validates and accepts one message; `fault` is one that applies to this message only. */
  function sendOne(msg: unknown, fault: FaultRule | undefined): Reply {
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
      return { status: 422, body: { ErrorCode: 403, Message: "Incompatible JSON input." } };
    }
    const target = targetOf(msg as PostmarkMessage);
    if (fault) return faultReply(fault, target)!;
    const email = validateEmail(msg as PostmarkMessage);
    if ("ErrorCode" in email) return { status: 422, body: email };
    const dead = [...email.to, ...email.cc, ...email.bcc].filter((a) => inactive.has(a.toLowerCase()));
    if (dead.length) return { status: 422, body: inactiveRecipientError(dead) };
    const sentEmail: SentEmail = {
      messageId: randomUUID(),
      from: email.from,
      recipients: [...email.to, ...email.cc, ...email.bcc],
      subject: email.subject,
      tag: email.tag,
      metadata: email.metadata,
      messageStream: email.messageStream,
      submittedAt: new Date().toISOString(),
    };
    remember(sentEmail);
    scheduleDelivery(sentEmail);
    const to = (msg as PostmarkMessage).To;
    return { status: 200, body: { To: typeof to === "string" ? to : "", SubmittedAt: sentEmail.submittedAt, MessageID: sentEmail.messageId, ErrorCode: 0, Message: "OK" } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/\/+$/, "").toLowerCase();
    if (path !== "/email" && path !== "/email/batch") {
      return sendJson(res, 404, { ErrorCode: 404, Message: "The requested resource was not found." });
    }
    if (req.method !== "POST") return sendJson(res, 405, { ErrorCode: 405, Message: "Method not allowed." }, { Allow: "POST" });

    const token = req.headers["x-postmark-server-token"];
    if (token !== serverToken) {
      const body = token === undefined ? tokenMissing : tokenInvalid;
      record(req, path, undefined, undefined, false, { status: 401, body });
      return sendJson(res, 401, body);
    }
    if (!/application\/json/i.test(req.headers["content-type"] ?? "")) {
      return sendJson(res, 422, { ErrorCode: 409, Message: "JSON Required. Please set the Accept and Content-Type headers to 'application/json'." });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse((await readBody(req, 50 * 1024 * 1024)).toString("utf8"));
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, { ErrorCode: 300, Message: "Request body too large." });
      return sendJson(res, 422, { ErrorCode: 402, Message: "Received invalid JSON input." });
    }

    if (path === "/email") {
      const target = typeof parsed === "object" && parsed !== null ? targetOf(parsed as PostmarkMessage) : undefined;
      await ctx.faults.delay("postmark");
      const fault = ctx.faults.take("postmark", target);
      if (fault?.kind === "timeout") {
        record(req, path, parsed, target, false, { status: 0, body: "timeout fault: connection dropped" });
        return holdThenDrop(req, timers, fault.delayMs ?? 30_000);
      }
      const reply = sendOne(parsed, fault);
      record(req, path, parsed, target, reply.status === 200, reply);
      return sendJson(res, reply.status, reply.body, reply.headers);
    }

    if (!Array.isArray(parsed)) return sendJson(res, 422, { ErrorCode: 403, Message: "Incompatible JSON input. Expected an array of messages." });
    if (parsed.length > MAX_BATCH) {
      return sendJson(res, 422, { ErrorCode: INVALID_REQUEST, Message: `Batch cannot contain more than ${MAX_BATCH} messages (found ${parsed.length}).` });
    }
    const targets = parsed.map((m) => (typeof m === "object" && m !== null ? targetOf(m as PostmarkMessage) : undefined));
    await ctx.faults.delay("postmark");
    const faults = targets.map((t) => ctx.faults.take("postmark", t));
    const whole = faults.find((f) => f !== undefined && requestLevel(f));
    if (whole) {
      const reply = faultReply(whole, targets[faults.indexOf(whole)] ?? "");
      parsed.forEach((m, i) => record(req, path, m, targets[i], false, reply ?? { status: 0, body: "timeout fault: connection dropped" }));
      if (!reply) return holdThenDrop(req, timers, whole.delayMs ?? 30_000);
      return sendJson(res, reply.status, reply.body, reply.headers);
    }
    const results = parsed.map((m, i) => {
      const reply = sendOne(m, faults[i]);
      record(req, path, m, targets[i], reply.status === 200, reply);
      return reply.body;
    });
    return sendJson(res, 200, results);
  }

  function record(req: IncomingMessage, path: string, body: unknown, target: string | undefined, accepted: boolean, response: { status: number; body: unknown }) {
    ctx.recorder.record({ provider: "postmark", method: req.method ?? "", path, headers: headersOf(req), body, target, accepted, response });
  }

  async function control(req: ControlRequest): Promise<ControlResponse | undefined> {
    if (req.path === "/webhooks" && req.method === "POST") return triggerWebhook(req.body);
    if (req.path === "/suppressions") {
      if (req.method === "GET") return { status: 200, body: { addresses: [...inactive] } };
      if (req.method === "POST") {
        const email = (req.body as { email?: unknown } | undefined)?.email;
        if (typeof email !== "string" || !bareAddress(email)) return { status: 400, body: { error: "body.email must be an email address" } };
        inactive.add(email.toLowerCase());
        return { status: 200, body: { addresses: [...inactive] } };
      }
      if (req.method === "DELETE") {
        const email = req.query.get("email");
        if (email) inactive.delete(email.toLowerCase());
        else inactive.clear();
        return { status: 200, body: { addresses: [...inactive] } };
      }
    }
    return undefined;
  }

  async function triggerWebhook(body: unknown): Promise<ControlResponse> {
    const b = (body ?? {}) as { messageId?: unknown; recordType?: unknown; recipient?: unknown; bounceType?: unknown; link?: unknown; webhookUrl?: unknown };
    if (typeof b.messageId !== "string") return { status: 400, body: { error: "body.messageId is required" } };
    const recordType = (b.recordType ?? "Delivery") as WebhookRecordType;
    if (!WEBHOOK_RECORD_TYPES.includes(recordType)) {
      return { status: 400, body: { error: `body.recordType must be one of ${WEBHOOK_RECORD_TYPES.join(", ")}` } };
    }
    if (b.bounceType !== undefined && !(typeof b.bounceType === "string" && b.bounceType in BOUNCE_TYPES)) {
      return { status: 400, body: { error: `body.bounceType must be one of ${Object.keys(BOUNCE_TYPES).join(", ")}` } };
    }
    const email = sent.get(b.messageId);
    if (!email) return { status: 404, body: { error: `no message ${b.messageId} was sent through this simulator` } };
    const recipient = typeof b.recipient === "string" ? b.recipient : email.recipients[0];
    const url = typeof b.webhookUrl === "string" ? b.webhookUrl : opts.webhookUrl;
    const bounceType = b.bounceType as BounceType | undefined;
    // Postmark deactivates the address itself, whether or not the webhook gets through.
    if (recordType === "SpamComplaint" || (recordType === "Bounce" && BOUNCE_TYPES[bounceType ?? "HardBounce"].inactive)) {
      inactive.add(recipient.toLowerCase());
    }
    if (!url) return { status: 409, body: { error: "no webhook URL configured (start with postmarkWebhookUrl or pass body.webhookUrl)" } };
    try {
      const { status, payload } = await sendWebhook(url, email, recordType, {
        recipient,
        bounceType,
        link: typeof b.link === "string" ? b.link : undefined,
      });
      return { status: 200, body: { webhookUrl: url, receiverStatus: status, payload } };
    } catch (err) {
      return { status: 502, body: { error: `webhook to ${url} failed: ${(err as Error).message}`, webhookUrl: url } };
    }
  }

  const server = await startHttpServer(opts.host, opts.port, handle, (err) => ctx.logger?.error({ err }, "postmark simulator error"));
  return {
    provider: "postmark",
    url: httpUrl(opts.host, server.port),
    port: server.port,
    control,
    async close() {
      timers.clear();
      await server.close();
    },
  };
}
