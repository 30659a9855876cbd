import { createPublicKey, randomUUID } from "node:crypto";
import type { SandboxCredentials } from "../credentials.js";
import type { FaultRule } from "../core/faults.js";
import type { RunningSimulator, SimulatorContext } from "../core/simulator.js";
import { decodeJws, verifyJws } from "./jws.js";
import {
  DEFAULT_TIMEOUT_HOLD_MS,
  header,
  headersOf,
  listenTls,
  parseJsonOrText,
  pathOf,
  readBody,
  type Req,
  type Res,
} from "./tls-http.js";

/**
 * Apple Push Notification service provider API (HTTP/2 + TLS, token-based auth), as documented in
 * "Sending notification requests to APNs" / "Handling notification responses from APNs".
 */
const MAX_PAYLOAD_BYTES = 4096;
const MAX_VOIP_PAYLOAD_BYTES = 5120;
/** APNs rejects provider tokens older than one hour. */
const PROVIDER_TOKEN_MAX_AGE_S = 3600;
const CLOCK_SKEW_S = 60;
const PUSH_TYPES = new Set([
  "alert", "background", "location", "voip", "complication", "fileprovider", "mdm", "liveactivity", "pushtotalk", "widgets", "controls",
]);
/** Topics a token-auth key may push to: the bundle id and Apple's per-push-type suffixes. */
const TOPIC_SUFFIXES = [
  "", ".voip", ".complication", ".pushkit.fileprovider", ".push-type.liveactivity", ".push-type.location", ".voip-ptt", ".push-type.widgets",
];
const DEVICE_PATH = /^\/3\/device\/([^/]*)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ApnsAnswer {
  status: number;
  reason?: string;
  /** 410 Unregistered carries when the token stopped being valid (ms since epoch). */
  timestamp?: number;
  retryAfterSeconds?: number;
}

export async function startApnsSimulator(
  ctx: SimulatorContext,
  opts: { host: string; port: number; credentials: SandboxCredentials },
): Promise<RunningSimulator> {
  const apns = opts.credentials.apns;
  const publicKey = createPublicKey(apns.publicKeyPem);

  const server = await listenTls(
    { provider: "apns", host: opts.host, port: opts.port, tls: opts.credentials.tls, allowHTTP1: false, onError: (err) => ctx.logger?.error({ err }, "apns simulator error") },
    async (req, res) => {
      const { bytes, size } = await readBody(req);
      const path = pathOf(req);
      const match = DEVICE_PATH.exec(path);
      const token = match ? safeDecode(match[1]) : undefined;
      const apnsId = header(req, "apns-id") ?? randomUUID();
      const body = parseJsonOrText(bytes);

      const finish = (answer: ApnsAnswer) => {
        const responseBody = answer.reason
          ? { reason: answer.reason, ...(answer.timestamp !== undefined ? { timestamp: answer.timestamp } : {}) }
          : null;
        ctx.recorder.record({
          provider: "apns",
          method: req.method,
          path,
          headers: headersOf(req),
          body,
          target: token,
          accepted: answer.status === 200,
          response: { status: answer.status, body: responseBody },
        });
        respond(res, apnsId, answer, responseBody);
      };

      if (!match) return finish({ status: 404, reason: "BadPath" });
      if (req.method !== "POST") return finish({ status: 405, reason: "MethodNotAllowed" });

      await ctx.faults.delay("apns");
      const fault = ctx.faults.take("apns", token);
      if (fault?.kind === "timeout") {
        ctx.recorder.record({
          provider: "apns", method: req.method, path, headers: headersOf(req), body, target: token, accepted: false,
          response: { status: 0, body: { fault: "timeout" } },
        });
        return server.holdThenDrop(req, fault.delayMs ?? DEFAULT_TIMEOUT_HOLD_MS);
      }
      if (fault) return finish(faultAnswer(fault));

      const authError = checkProviderToken(header(req, "authorization"), apns, publicKey);
      if (authError) return finish({ status: 403, reason: authError });
      const headerError = checkHeaders(req, apns.bundleId);
      if (headerError) return finish({ status: 400, reason: headerError });
      if (!token) return finish({ status: 400, reason: "MissingDeviceToken" });
      if (!/^[0-9a-f]{64}$/i.test(token)) return finish({ status: 400, reason: "BadDeviceToken" });
      if (size === 0) return finish({ status: 400, reason: "PayloadEmpty" });
      const limit = header(req, "apns-push-type") === "voip" ? MAX_VOIP_PAYLOAD_BYTES : MAX_PAYLOAD_BYTES;
      if (size > limit) return finish({ status: 413, reason: "PayloadTooLarge" });
      // Apple documents no reason for malformed JSON; PayloadEmpty is its closest documented answer.
      if (typeof body !== "object" || body === null || Array.isArray(body)) return finish({ status: 400, reason: "PayloadEmpty" });
      finish({ status: 200 });
    },
  );
  return { provider: server.provider, url: server.url, port: server.port, close: server.close };
}

function respond(res: Res, apnsId: string, answer: ApnsAnswer, body: unknown): void {
  const headers: Record<string, string> = { "apns-id": apnsId };
  if (answer.status === 200) {
    // Apple returns apns-unique-id only in its development environment, which is what a sandbox is.
    headers["apns-unique-id"] = randomUUID();
    res.writeHead(200, headers);
    res.end();
    return;
  }
  // APNs sends no Retry-After; one is added only when a fault rule asks for it.
  if (answer.retryAfterSeconds !== undefined) headers["retry-after"] = String(answer.retryAfterSeconds);
  const text = JSON.stringify(body);
  res.writeHead(answer.status, { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

function faultAnswer(fault: FaultRule): ApnsAnswer {
  switch (fault.kind) {
    case "rate_limit":
      return { status: 429, reason: "TooManyRequests", retryAfterSeconds: fault.retryAfterSeconds };
    case "server_error":
      return { status: 500, reason: "InternalServerError" };
    case "unavailable":
      return { status: 503, reason: "ServiceUnavailable", retryAfterSeconds: fault.retryAfterSeconds };
    case "invalid_target":
      return { status: 410, reason: "Unregistered", timestamp: Date.now() };
    case "bad_request":
      return { status: 400, reason: "BadDeviceToken" };
    case "auth":
      return { status: 403, reason: "InvalidProviderToken" };
    case "timeout":
      throw new Error("timeout is handled by holding the stream");
  }
}

/** Token-based auth: `authorization: bearer <ES256 JWT>` with kid = key id, iss = team id. */
function checkProviderToken(
  authorization: string | undefined,
  apns: SandboxCredentials["apns"],
  publicKey: ReturnType<typeof createPublicKey>,
): string | undefined {
  if (!authorization) return "MissingProviderToken";
  const [scheme, token] = authorization.split(" ");
  if (scheme?.toLowerCase() !== "bearer" || !token) return "MissingProviderToken";
  const jws = decodeJws(token);
  if (!jws) return "InvalidProviderToken";
  if (jws.header.kid !== apns.keyId || jws.payload.iss !== apns.teamId) return "InvalidProviderToken";
  if (!verifyJws(jws, "ES256", publicKey)) return "InvalidProviderToken";
  const iat = jws.payload.iat;
  const now = Math.floor(Date.now() / 1000);
  if (typeof iat !== "number" || iat > now + CLOCK_SKEW_S) return "InvalidProviderToken";
  if (now - iat > PROVIDER_TOKEN_MAX_AGE_S) return "ExpiredProviderToken";
  return undefined;
}

function checkHeaders(req: Req, bundleId: string): string | undefined {
  const topic = header(req, "apns-topic");
  if (!topic) return "MissingTopic";
  if (!TOPIC_SUFFIXES.some((suffix) => topic === bundleId + suffix)) return "TopicDisallowed";
  const pushType = header(req, "apns-push-type");
  if (pushType !== undefined && !PUSH_TYPES.has(pushType)) return "InvalidPushType";
  const priority = header(req, "apns-priority");
  if (priority !== undefined && !["1", "5", "10"].includes(priority)) return "BadPriority";
  const expiration = header(req, "apns-expiration");
  if (expiration !== undefined && !/^\d+$/.test(expiration)) return "BadExpirationDate";
  const collapseId = header(req, "apns-collapse-id");
  if (collapseId !== undefined && Buffer.byteLength(collapseId) > 64) return "BadCollapseId";
  const apnsId = header(req, "apns-id");
  if (apnsId !== undefined && !UUID.test(apnsId)) return "BadMessageId";
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
