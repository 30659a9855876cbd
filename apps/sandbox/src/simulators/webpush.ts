import { createPublicKey, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import type { SandboxCredentials } from "../credentials.js";
import type { FaultRule } from "../core/faults.js";
import type { ControlRequest, ControlResponse, RunningSimulator, SimulatorContext } from "../core/simulator.js";
import { decodeJws, verifyJws } from "./jws.js";
import {
  DEFAULT_TIMEOUT_HOLD_MS,
  header,
  headersOf,
  listenTls,
  parseJsonOrText,
  pathOf,
  readBody,
  requestOrigin,
  sendJson,
  type Req,
  type Res,
} from "./tls-http.js";
import { createSubscriptionKeys, decryptAes128gcm, DecryptionError, type SubscriptionKeys } from "./webpush-crypto.js";

/**
 * A Web Push push service (RFC 8030) with VAPID (RFC 8292) that also plays the browser: it mints
 * subscriptions, keeps their private keys, decrypts each push (RFC 8291) and keeps the plaintext
 * for sandbox devices to poll.
 *
 *   POST   /subscriptions                 {applicationServerKey?} -> PushSubscription JSON
 *   GET    /subscriptions/<id>/messages   [?after=<messageId>]    -> decrypted messages
 *   DELETE /subscriptions/<id>            the browser unsubscribed: later pushes get 410
 *   POST   /push/<id>                     the push endpoint application servers call
 *   GET    /messages/<messageId>          the push message resource named by Location
 *
 * The /subscriptions routes also exist on the control port as /webpush/subscriptions..., for
 * pages that cannot trust the sandbox CA.
 */
const MAX_PAYLOAD_BYTES = 4096;
/** RFC 8292 §2: the JWT must not expire more than 24 hours after the request. */
const MAX_VAPID_LIFETIME_S = 24 * 60 * 60;
const CLOCK_SKEW_S = 60;
const DEFAULT_RETRY_AFTER_S = 1;
const MESSAGES_KEPT_PER_SUBSCRIPTION = 100;
const URGENCIES = new Set(["very-low", "low", "normal", "high"]);
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;
const CORS = { "access-control-allow-origin": "*", "access-control-allow-methods": "GET, POST, DELETE", "access-control-allow-headers": "content-type" };

interface Subscription {
  id: string;
  endpoint: string;
  keys: SubscriptionKeys;
  /** When the subscription was made with an applicationServerKey, only that VAPID key may push. */
  applicationServerKey?: Buffer;
  messages: PushMessage[];
}

export interface PushMessage {
  id: string;
  subscriptionId: string;
  receivedAt: string;
  ttl: number;
  urgency: string;
  topic?: string;
  /** Decrypted payload as UTF-8 text; null for a push without payload. */
  payload: string | null;
}

interface PushAnswer {
  status: number;
  error?: string;
  message?: string;
  retryAfterSeconds?: number;
}

export async function startWebPushSimulator(
  ctx: SimulatorContext,
  opts: { host: string; port: number; credentials: SandboxCredentials },
): Promise<RunningSimulator> {
  const subscriptions = new Map<string, Subscription>();
  const messages = new Map<string, PushMessage>();

  const server = await listenTls(
    { provider: "webpush", host: opts.host, port: opts.port, tls: opts.credentials.tls, allowHTTP1: true, onError: (err) => ctx.logger?.error({ err }, "webpush simulator error") },
    async (req, res) => {
      const { bytes, size } = await readBody(req, MAX_PAYLOAD_BYTES * 4);
      const path = pathOf(req);
      const segments = path.split("/").filter(Boolean);
      if (req.method === "OPTIONS") return void res.writeHead(204, CORS).end();
      if (req.method === "POST" && path === "/subscriptions") return subscribe(req, res, bytes);
      if (segments[0] === "subscriptions" && segments.length === 3 && segments[2] === "messages" && req.method === "GET") {
        return listMessages(req, res, segments[1]);
      }
      if (segments[0] === "subscriptions" && segments.length === 2 && req.method === "DELETE") {
        const existed = subscriptions.delete(segments[1]);
        return void res.writeHead(existed ? 204 : 404, CORS).end();
      }
      if (segments[0] === "push" && segments.length === 2 && req.method === "POST") return push(req, res, path, segments[1], bytes, size);
      if (segments[0] === "messages" && segments.length === 2 && req.method === "GET") {
        const message = messages.get(segments[1]);
        return message ? sendJson(res, 200, message, CORS) : sendJson(res, 404, pushError(404, "Not Found", "No such message"), CORS);
      }
      sendJson(res, 404, pushError(404, "Not Found", `No route for ${req.method} ${path}`));
    },
  );

  function subscribe(req: Req, res: Res, bytes: Buffer): void {
    const answer = createSubscription(requestOrigin(req), parseJsonOrText(bytes));
    sendJson(res, answer.status, answer.body, CORS);
  }

  /** The endpoint uses the origin the caller reached us on, so it is reachable from there too. */
  function createSubscription(origin: string, body: unknown): ControlResponse {
    const key = isObject(body) && typeof body.applicationServerKey === "string" ? Buffer.from(body.applicationServerKey, "base64url") : undefined;
    if (key && !toVerifyKey(key)) return { status: 400, body: pushError(400, "Bad Request", "applicationServerKey is not a P-256 public key") };
    const id = randomBytes(16).toString("base64url");
    const endpoint = `${origin}/push/${id}`;
    const keys = createSubscriptionKeys();
    subscriptions.set(id, { id, endpoint, keys, applicationServerKey: key, messages: [] });
    const subscription = {
      endpoint,
      expirationTime: null,
      keys: { p256dh: keys.publicKey.toString("base64url"), auth: keys.authSecret.toString("base64url") },
    };
    return { status: 201, body: subscription };
  }

  function listMessages(req: Req, res: Res, id: string): void {
    const after = new URL(req.url ?? "/", "https://x").searchParams.get("after");
    const answer = messagesOf(id, after);
    sendJson(res, answer.status, answer.body, CORS);
  }

  function messagesOf(id: string, after: string | null): ControlResponse {
    const subscription = subscriptions.get(id);
    if (!subscription) return { status: 404, body: pushError(404, "Not Found", "No such subscription") };
    const start = after ? subscription.messages.findIndex((m) => m.id === after) + 1 : 0;
    return { status: 200, body: subscription.messages.slice(start) };
  }

  async function push(req: Req, res: Res, path: string, id: string, bytes: Buffer, size: number): Promise<void> {
    const subscription = subscriptions.get(id);
    const target = subscription?.endpoint ?? `${requestOrigin(req)}${path}`;
    let recordedBody: unknown = null;
    const finish = (answer: PushAnswer, location?: string) => {
      const body = answer.error ? pushError(answer.status, answer.error, answer.message ?? answer.error) : null;
      ctx.recorder.record({
        provider: "webpush", method: req.method, path, headers: headersOf(req), body: recordedBody, target,
        accepted: answer.status === 201, response: { status: answer.status, body },
      });
      const headers: Record<string, string> = {};
      if (answer.retryAfterSeconds !== undefined) headers["retry-after"] = String(answer.retryAfterSeconds);
      if (location) {
        res.writeHead(201, { ...headers, location, "content-length": "0" });
        return void res.end();
      }
      sendJson(res, answer.status, body, headers);
    };

    await ctx.faults.delay("webpush");
    const fault = ctx.faults.take("webpush", target);
    if (fault?.kind === "timeout") {
      ctx.recorder.record({
        provider: "webpush", method: req.method, path, headers: headersOf(req), body: null, target, accepted: false,
        response: { status: 0, body: { fault: "timeout" } },
      });
      return server.holdThenDrop(req, fault.delayMs ?? DEFAULT_TIMEOUT_HOLD_MS);
    }
    if (fault) return finish(faultAnswer(fault));
    if (!subscription) return finish({ status: 410, error: "Gone", message: "No such subscription" });

    const authProblem = checkVapid(req, subscription);
    if (authProblem) return finish(authProblem);

    const ttlHeader = header(req, "ttl");
    if (ttlHeader === undefined || !/^\d+$/.test(ttlHeader)) return finish({ status: 400, error: "Bad Request", message: "Missing or invalid TTL header" });
    const urgency = header(req, "urgency") ?? "normal";
    if (!URGENCIES.has(urgency)) return finish({ status: 400, error: "Bad Request", message: `Invalid Urgency: ${urgency}` });
    const topic = header(req, "topic");
    if (topic !== undefined && !TOPIC.test(topic)) return finish({ status: 400, error: "Bad Request", message: "Topic must be at most 32 base64url characters" });
    if (size > MAX_PAYLOAD_BYTES) return finish({ status: 413, error: "Payload Too Large", message: `Payload exceeds ${MAX_PAYLOAD_BYTES} bytes` });

    let payload: string | null = null;
    if (size > 0) {
      const encoding = header(req, "content-encoding");
      if (encoding !== "aes128gcm") return finish({ status: 400, error: "Bad Request", message: `Unsupported Content-Encoding: ${encoding ?? "(none)"}` });
      try {
        payload = decryptAes128gcm(bytes, subscription.keys).toString("utf8");
      } catch (err) {
        // A real push service forwards undecryptable data and the browser drops it; the sandbox says why.
        if (err instanceof DecryptionError) return finish({ status: 400, error: "Bad Request", message: `Cannot decrypt payload: ${err.message}` });
        throw err;
      }
      recordedBody = parseJsonOrText(Buffer.from(payload));
    }

    const message: PushMessage = {
      id: randomUUID(), subscriptionId: id, receivedAt: new Date().toISOString(), ttl: Number(ttlHeader), urgency, topic, payload,
    };
    // RFC 8030 §5.4: a message with the same Topic replaces the one still waiting.
    const kept = subscription.messages.filter((m) => topic === undefined || m.topic !== topic);
    for (const dropped of subscription.messages.filter((m) => !kept.includes(m))) messages.delete(dropped.id);
    kept.push(message);
    while (kept.length > MESSAGES_KEPT_PER_SUBSCRIPTION) messages.delete(kept.shift()!.id);
    subscription.messages = kept;
    messages.set(message.id, message);
    finish({ status: 201 }, `${requestOrigin(req)}/messages/${message.id}`);
  }

  /** The same subscription routes on the (plain HTTP) control port: `/webpush/subscriptions...`. */
  async function control(req: ControlRequest): Promise<ControlResponse | undefined> {
    const segments = req.path.split("/").filter(Boolean);
    if (segments[0] !== "subscriptions") return undefined;
    if (req.method === "POST" && segments.length === 1) return createSubscription(server.url, req.body);
    if (req.method === "GET" && segments.length === 3 && segments[2] === "messages") return messagesOf(segments[1], req.query.get("after"));
    if (req.method === "DELETE" && segments.length === 2) {
      return subscriptions.delete(segments[1]) ? { status: 204, body: undefined } : { status: 404, body: pushError(404, "Not Found", "No such subscription") };
    }
    return undefined;
  }

  return { provider: server.provider, url: server.url, port: server.port, close: server.close, control };
}

/** RFC 8292: `Authorization: vapid t=<ES256 JWT>, k=<P-256 public key>`. */
function checkVapid(req: Req, subscription: Subscription): PushAnswer | undefined {
  const unauthorized = (message: string): PushAnswer => ({ status: 401, error: "Unauthorized", message });
  const authorization = header(req, "authorization");
  if (!authorization) return unauthorized("Missing Authorization header");
  const match = /^vapid\s+(.*)$/i.exec(authorization);
  if (!match) return unauthorized("Authorization scheme must be vapid (RFC 8292)");
  const params = new Map<string, string>();
  for (const part of match[1].split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const token = params.get("t");
  const keyText = params.get("k");
  if (!token || !keyText) return unauthorized("vapid Authorization needs t= and k=");
  const keyBytes = Buffer.from(keyText, "base64url");
  const key = toVerifyKey(keyBytes);
  if (!key) return unauthorized("k is not a P-256 public key");
  const jws = decodeJws(token);
  if (!jws || !verifyJws(jws, "ES256", key)) return unauthorized("Invalid VAPID JWT signature");
  const { aud, exp, sub } = jws.payload;
  if (aud !== requestOrigin(req)) return unauthorized(`JWT aud must be the push service origin ${requestOrigin(req)}`);
  const now = Math.floor(Date.now() / 1000);
  if (typeof exp !== "number" || exp < now) return unauthorized("JWT expired");
  if (exp > now + MAX_VAPID_LIFETIME_S + CLOCK_SKEW_S) return unauthorized("JWT exp is more than 24 hours ahead");
  if (typeof sub !== "string" || !/^(mailto:|https:)/.test(sub)) return unauthorized("JWT sub must be a mailto: or https: URI");
  if (subscription.applicationServerKey && !subscription.applicationServerKey.equals(keyBytes)) {
    return { status: 403, error: "Forbidden", message: "VAPID key does not match the subscription's applicationServerKey" };
  }
  return undefined;
}

function faultAnswer(fault: FaultRule): PushAnswer {
  switch (fault.kind) {
    case "rate_limit":
      return { status: 429, error: "Too Many Requests", message: "Rate limit exceeded (sandbox fault)", retryAfterSeconds: fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_S };
    case "server_error":
      return { status: 500, error: "Internal Server Error", message: "Sandbox fault" };
    case "unavailable":
      return { status: 503, error: "Service Unavailable", message: "Sandbox fault", retryAfterSeconds: fault.retryAfterSeconds };
    case "invalid_target":
      return { status: 410, error: "Gone", message: "Subscription has expired or was unsubscribed" };
    case "bad_request":
      return { status: 400, error: "Bad Request", message: "Malformed push request (sandbox fault)" };
    case "auth":
      return { status: 403, error: "Forbidden", message: "VAPID credentials rejected (sandbox fault)" };
    case "timeout":
      throw new Error("timeout is handled by holding the request");
  }
}

/** Error body in the shape Mozilla's push service (autopush) uses. */
function pushError(code: number, error: string, message: string) {
  return { code, error, message };
}

/** An uncompressed P-256 point as a verification key, or undefined if it is not one. */
function toVerifyKey(point: Buffer): KeyObject | undefined {
  if (point.length !== 65 || point[0] !== 0x04) return undefined;
  try {
    return createPublicKey({
      key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") },
      format: "jwk",
    });
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
