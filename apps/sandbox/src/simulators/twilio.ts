import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SandboxCredentials } from "../credentials.js";
import type { FaultRule } from "../core/faults.js";
import { basicAuth, BodyTooLargeError, headersOf, holdThenDrop, httpUrl, readBody, sendJson, startHttpServer, Timers } from "../core/http.js";
import type { ControlRequest, ControlResponse, RunningSimulator, SimulatorContext } from "../core/simulator.js";
import { invalidTo, newMessage, notMobile, rfc2822, twilioError, validateCreate, type MessageStatus, type TwilioError, type TwilioMessage } from "./twilio-message.js";
import { twilioSignature } from "./twilio-signature.js";
import { postCallback } from "./webhook-client.js";

export interface TwilioSimulatorOptions {
  host: string;
  port: number;
  credentials: SandboxCredentials;
  /** Delay before each status step (queued → sent → delivered) and its callback. */
  statusDelayMs?: number;
}

const MESSAGES = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const MESSAGE = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/;
const MAX_REMEMBERED = 10_000;

type Reply = { status: number; body: TwilioError | TwilioMessage | Record<string, unknown>; headers?: Record<string, string> };

/** What an injected fault looks like coming from Twilio; undefined for timeout (no answer). */
function faultReply(rule: FaultRule, to: string): Reply | undefined {
  switch (rule.kind) {
    case "rate_limit":
      return { status: 429, body: twilioError(429, 20429, "Too Many Requests"), headers: { "Retry-After": String(rule.retryAfterSeconds ?? 1) } };
    case "server_error":
      return { status: 500, body: twilioError(500, 20500, "Internal Server Error") };
    case "unavailable":
      return {
        status: 503,
        body: twilioError(503, 20503, "Service Unavailable"),
        headers: rule.retryAfterSeconds === undefined ? undefined : { "Retry-After": String(rule.retryAfterSeconds) },
      };
    case "invalid_target":
      return { status: 400, body: notMobile(to) };
    case "bad_request":
      return { status: 400, body: invalidTo(to) };
    case "auth":
      return unauthorized();
    case "timeout":
      return undefined;
  }
}

const unauthorized = (): Reply => ({
  status: 401,
  body: twilioError(401, 20003, "Authenticate", "Your AccountSid or AuthToken was incorrect."),
  headers: { "WWW-Authenticate": 'Basic realm="Twilio API"' },
});

const notFound = (path: string): Reply => ({ status: 404, body: twilioError(404, 20404, `The requested resource ${path} was not found`) });

/** Form fields as an object; repeated fields (MediaUrl) become arrays. */
function formObject(form: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(form.keys())) {
    const all = form.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}

/** Twilio's RawDlrDoneDate: the carrier's YYMMDDhhmm. */
const dlrDate = (d = new Date()) => d.toISOString().replace(/[-T:]/g, "").slice(2, 12);

export async function startTwilioSimulator(ctx: SimulatorContext, opts: TwilioSimulatorOptions): Promise<RunningSimulator> {
  const { accountSid, authToken, fromNumber } = opts.credentials.twilio;
  const timers = new Timers();
  const messages = new Map<string, { resource: TwilioMessage; statusCallback?: string }>();
  const stepMs = opts.statusDelayMs ?? 100;

  async function postStatusCallback(url: string, m: TwilioMessage, extra: Record<string, string> = {}) {
    const params: Record<string, string> = {
      AccountSid: m.account_sid,
      ApiVersion: m.api_version,
      From: m.from ?? "",
      MessageSid: m.sid,
      MessageStatus: m.status,
      SmsSid: m.sid,
      SmsStatus: m.status,
      To: m.to,
      ...(m.messaging_service_sid ? { MessagingServiceSid: m.messaging_service_sid } : {}),
      ...(m.error_code !== null ? { ErrorCode: String(m.error_code) } : {}),
      ...extra,
    };
    const res = await postCallback(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "User-Agent": "TwilioProxy/1.1",
        "I-Twilio-Idempotency-Token": randomBytes(16).toString("hex"),
        "X-Twilio-Signature": twilioSignature(authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    await res.arrayBuffer();
    if (res.status >= 300) ctx.logger?.warn({ url, status: res.status, sid: m.sid }, "twilio status callback was not accepted");
    return res.status;
  }

  /** Moves a message to `status` and tells its StatusCallback; failures only get logged, as with Twilio. */
  async function advance(sid: string, status: MessageStatus, error?: { code: number; message: string }) {
    const entry = messages.get(sid);
    if (!entry) return undefined;
    const m = entry.resource;
    m.status = status;
    m.date_updated = rfc2822();
    if (status === "sent") {
      m.from ??= fromNumber;
      m.date_sent = m.date_updated;
      m.price = (-0.0079 * Number(m.num_segments)).toFixed(5);
    }
    if (error) {
      m.error_code = error.code;
      m.error_message = error.message;
    }
    if (!entry.statusCallback) return undefined;
    return postStatusCallback(entry.statusCallback, m, status === "delivered" || status === "undelivered" ? { RawDlrDoneDate: dlrDate() } : {}).catch(
      (err: unknown) => {
        ctx.logger?.warn({ url: entry.statusCallback, err, sid }, "twilio status callback failed");
        return undefined;
      },
    );
  }

  function scheduleLifecycle(sid: string) {
    // A control-API outcome (e.g. undelivered) may have overtaken the normal progression.
    const pending = () => ["accepted", "queued", "sending", "sent"].includes(messages.get(sid)?.resource.status ?? "");
    timers.after(stepMs, () => {
      if (!pending()) return;
      void advance(sid, "sent").then(() => timers.after(stepMs, () => void (pending() && advance(sid, "delivered"))));
    });
  }

  function create(form: URLSearchParams, fault: FaultRule | undefined): Reply {
    const to = form.get("To") ?? "";
    if (fault) return faultReply(fault, to)!;
    const valid = validateCreate(form, opts.credentials.twilio);
    if ("code" in valid) return { status: valid.status, body: valid };
    const resource = newMessage(accountSid, valid);
    messages.set(resource.sid, { resource, statusCallback: valid.statusCallback });
    if (messages.size > MAX_REMEMBERED) messages.delete(messages.keys().next().value!);
    scheduleLifecycle(resource.sid);
    return { status: 201, body: { ...resource } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const reply = (r: Reply) => sendJson(res, r.status, r.body, { "Twilio-Request-Id": `RQ${randomBytes(16).toString("hex")}`, ...r.headers });
    const list = MESSAGES.exec(path);
    const one = MESSAGE.exec(path);
    if (!list && !one) return reply(notFound(path));

    const auth = basicAuth(req);
    const authorized = auth?.username === accountSid && auth.password === authToken;
    if (one) {
      if (!authorized) return reply(unauthorized());
      if (req.method !== "GET") return reply({ status: 405, body: twilioError(405, 20004, "Method not allowed") });
      const found = one[1] === accountSid ? messages.get(one[2]) : undefined;
      return reply(found ? { status: 200, body: found.resource } : notFound(path));
    }
    if (req.method !== "POST") return reply({ status: 405, body: twilioError(405, 20004, "Method not allowed") });

    let form: URLSearchParams;
    try {
      form = new URLSearchParams((await readBody(req, 1024 * 1024)).toString("utf8"));
    } catch (err) {
      if (err instanceof BodyTooLargeError) return reply({ status: 413, body: twilioError(413, 20001, "Request entity too large") });
      throw err;
    }
    const to = form.get("To") ?? undefined;
    const record = (r: Reply | undefined, accepted: boolean) =>
      ctx.recorder.record({
        provider: "twilio",
        method: "POST",
        path,
        headers: headersOf(req),
        body: formObject(form),
        target: to,
        accepted,
        response: r ? { status: r.status, body: r.body } : { status: 0, body: "timeout fault: connection dropped" },
      });

    if (!authorized) {
      const r = unauthorized();
      record(r, false);
      return reply(r);
    }
    if (list![1] !== accountSid) return reply(notFound(path));
    await ctx.faults.delay("twilio");
    const fault = ctx.faults.take("twilio", to);
    if (fault?.kind === "timeout") {
      record(undefined, false);
      return holdThenDrop(req, timers, fault.delayMs ?? 30_000);
    }
    const r = create(form, fault);
    record(r, r.status === 201);
    return reply(r);
  }

  /** `POST /twilio/status {messageSid, status, errorCode?}`: a later delivery outcome, e.g. undelivered 30003. */
  async function control(req: ControlRequest): Promise<ControlResponse | undefined> {
    if (req.path !== "/status" || req.method !== "POST") return undefined;
    const b = (req.body ?? {}) as { messageSid?: unknown; status?: unknown; errorCode?: unknown; errorMessage?: unknown };
    const allowed: MessageStatus[] = ["sent", "delivered", "undelivered", "failed"];
    if (typeof b.messageSid !== "string" || !messages.has(b.messageSid)) return { status: 404, body: { error: "unknown body.messageSid" } };
    if (!allowed.includes(b.status as MessageStatus)) return { status: 400, body: { error: `body.status must be one of ${allowed.join(", ")}` } };
    const failed = b.status === "undelivered" || b.status === "failed";
    const error = failed
      ? { code: typeof b.errorCode === "number" ? b.errorCode : 30003, message: typeof b.errorMessage === "string" ? b.errorMessage : "Unreachable destination handset" }
      : undefined;
    const callbackStatus = await advance(b.messageSid, b.status as MessageStatus, error);
    return { status: 200, body: { message: messages.get(b.messageSid)!.resource, callbackStatus: callbackStatus ?? null } };
  }

  const server = await startHttpServer(opts.host, opts.port, handle, (err) => ctx.logger?.error({ err }, "twilio simulator error"));
  return {
    provider: "twilio",
    url: httpUrl(opts.host, server.port),
    port: server.port,
    control,
    async close() {
      timers.clear();
      await server.close();
    },
  };
}
