import { createPublicKey, randomBytes } from "node:crypto";
import type { SandboxCredentials } from "../credentials.js";
import type { FaultRule } from "../core/faults.js";
import type { RunningSimulator, SimulatorContext } from "../core/simulator.js";
import { decodeJws, verifyJws } from "./jws.js";
import { checkFcmMessage } from "./fcm-message.js";
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

/**
 * FCM HTTP v1 (`messages:send`) plus the Google OAuth2 token endpoint that firebase-admin's
 * service-account credential calls first. One TLS port serves both, since the SDK redirect sends
 * fcm.googleapis.com and oauth2.googleapis.com to the same place.
 */
const TOKEN_PATHS = new Set(["/token", "/oauth2/v4/token"]);
const GOOGLE_TOKEN_URLS = ["https://oauth2.googleapis.com/token", "https://www.googleapis.com/oauth2/v4/token"];
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const MESSAGING_SCOPES = ["https://www.googleapis.com/auth/firebase.messaging", "https://www.googleapis.com/auth/cloud-platform"];
const ACCESS_TOKEN_TTL_S = 3599;
/** Google only accepts assertions valid for at most an hour. */
const MAX_ASSERTION_LIFETIME_S = 3600;
const CLOCK_SKEW_S = 60;
/** Used for rate_limit when the rule gives none: short, so sandbox retries are visible without stalling. */
const DEFAULT_RETRY_AFTER_S = 1;
const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
const FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError";

interface GoogleError {
  code: number;
  status: string;
  message: string;
  /** FcmError.errorCode, the part firebase-admin maps to its messaging/* codes. */
  fcmErrorCode?: string;
  retryAfterSeconds?: number;
}

export async function startFcmSimulator(
  ctx: SimulatorContext,
  opts: { host: string; port: number; credentials: SandboxCredentials },
): Promise<RunningSimulator> {
  const fcm = opts.credentials.fcm;
  const publicKey = createPublicKey(fcm.publicKeyPem);
  /** Access tokens this simulator issued, with their expiry (ms). */
  const accessTokens = new Map<string, number>();

  const server = await listenTls(
    { provider: "fcm", host: opts.host, port: opts.port, tls: opts.credentials.tls, allowHTTP1: true, onError: (err) => ctx.logger?.error({ err }, "fcm simulator error") },
    async (req, res) => {
      const { bytes } = await readBody(req);
      const path = pathOf(req);
      if (req.method === "POST" && TOKEN_PATHS.has(path)) return issueToken(req, res, path, bytes);
      if (req.method === "POST" && SEND_PATH.test(path)) return send(req, res, path, bytes);
      sendJson(res, 404, googleError({ code: 404, status: "NOT_FOUND", message: `No route for ${req.method} ${path}` }));
    },
  );

  /** Google's OAuth2 JWT-bearer grant (RFC 7523) for a service account. */
  function issueToken(req: Req, res: Res, path: string, bytes: Buffer): void {
    const form = parseForm(req, bytes);
    const jws = decodeJws(form.assertion ?? "");
    const refuse = (error: string, description: string) => {
      const body = { error, error_description: description };
      record(req, path, { grant_type: form.grant_type, claims: jws?.payload }, undefined, false, 400, body);
      sendJson(res, 400, body);
    };
    if (form.grant_type !== JWT_BEARER) return refuse("unsupported_grant_type", `Invalid grant_type: ${form.grant_type ?? ""}`);
    if (!jws) return refuse("invalid_request", "Invalid JWT: assertion is not a JWT");
    if (!verifyJws(jws, "RS256", publicKey)) return refuse("invalid_grant", "Invalid JWT Signature.");
    const claims = jws.payload;
    if (claims.iss !== fcm.clientEmail) return refuse("invalid_grant", "Invalid JWT: iss is not the service account");
    const audiences = [...GOOGLE_TOKEN_URLS, `${requestOrigin(req)}${path}`];
    if (typeof claims.aud !== "string" || !audiences.includes(claims.aud)) return refuse("invalid_grant", "Invalid JWT: aud is not the token URL");
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== "number" || typeof exp !== "number" || iat > now + CLOCK_SKEW_S || exp < now || exp - iat > MAX_ASSERTION_LIFETIME_S) {
      return refuse("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
    }
    const scopes = typeof claims.scope === "string" ? claims.scope.split(" ") : [];
    if (!scopes.some((s) => MESSAGING_SCOPES.includes(s))) return refuse("invalid_scope", "No firebase.messaging or cloud-platform scope");

    const accessToken = `ya29.sandbox-${randomBytes(24).toString("base64url")}`;
    accessTokens.set(accessToken, Date.now() + ACCESS_TOKEN_TTL_S * 1000);
    const body = { access_token: accessToken, expires_in: ACCESS_TOKEN_TTL_S, token_type: "Bearer" };
    record(req, path, { grant_type: form.grant_type, claims }, undefined, true, 200, { expires_in: ACCESS_TOKEN_TTL_S, token_type: "Bearer" });
    sendJson(res, 200, body);
  }

  async function send(req: Req, res: Res, path: string, bytes: Buffer): Promise<void> {
    const body = parseJsonOrText(bytes);
    const message = isObject(body) && isObject(body.message) ? body.message : undefined;
    const target = message ? targetOf(message) : undefined;
    const fail = (error: GoogleError) => {
      const payload = googleError(error);
      record(req, path, body, target, false, error.code, payload);
      const headers: Record<string, string> = {};
      if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
      sendJson(res, error.code, payload, headers);
    };

    await ctx.faults.delay("fcm");
    const fault = ctx.faults.take("fcm", target);
    if (fault?.kind === "timeout") {
      record(req, path, body, target, false, 0, { fault: "timeout" });
      return server.holdThenDrop(req, fault.delayMs ?? DEFAULT_TIMEOUT_HOLD_MS);
    }
    if (fault) return fail(faultError(fault));

    const bearer = /^Bearer (\S+)$/i.exec(header(req, "authorization") ?? "")?.[1];
    const expiresAt = bearer ? accessTokens.get(bearer) : undefined;
    if (expiresAt === undefined || expiresAt < Date.now()) {
      return fail({
        code: 401,
        status: "UNAUTHENTICATED",
        message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
      });
    }
    const projectId = SEND_PATH.exec(path)?.[1];
    if (projectId !== fcm.projectId) {
      return fail({ code: 403, status: "PERMISSION_DENIED", message: `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${projectId}'` });
    }
    if (!isObject(body)) return fail(invalidArgument("Invalid JSON payload received."));
    const problem = checkFcmMessage(body.message);
    if (problem) return fail(invalidArgument(problem));

    // Real ids look like "0:1700000000000000%31bd1c9631bd1c96".
    const messageId = `0:${Date.now()}${String(Math.floor(Math.random() * 1000)).padStart(3, "0")}%${randomBytes(8).toString("hex")}`;
    const answer = { name: `projects/${fcm.projectId}/messages/${messageId}` };
    record(req, path, body, target, true, 200, answer);
    sendJson(res, 200, answer);
  }

  function record(req: Req, path: string, body: unknown, target: string | undefined, accepted: boolean, status: number, responseBody: unknown) {
    ctx.recorder.record({ provider: "fcm", method: req.method, path, headers: headersOf(req), body, target, accepted, response: { status, body: responseBody } });
  }

  return { provider: server.provider, url: server.url, port: server.port, close: server.close };
}

function faultError(fault: FaultRule): GoogleError {
  switch (fault.kind) {
    case "rate_limit":
      return {
        code: 429, status: "RESOURCE_EXHAUSTED", fcmErrorCode: "QUOTA_EXCEEDED",
        message: "Quota exceeded for quota metric 'Send requests' (sandbox fault).",
        retryAfterSeconds: fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_S,
      };
    case "server_error":
      return { code: 500, status: "INTERNAL", fcmErrorCode: "INTERNAL", message: "Internal error encountered." };
    case "unavailable":
      // firebase-admin retries 503s (and honours Retry-After), so a Retry-After only comes from the rule.
      return { code: 503, status: "UNAVAILABLE", fcmErrorCode: "UNAVAILABLE", message: "The service is currently unavailable.", retryAfterSeconds: fault.retryAfterSeconds };
    case "invalid_target":
      return { code: 404, status: "NOT_FOUND", fcmErrorCode: "UNREGISTERED", message: "Requested entity was not found." };
    case "bad_request":
      return { code: 400, status: "INVALID_ARGUMENT", fcmErrorCode: "INVALID_ARGUMENT", message: "The registration token is not a valid FCM registration token" };
    case "auth":
      return { code: 401, status: "UNAUTHENTICATED", fcmErrorCode: "THIRD_PARTY_AUTH_ERROR", message: "Auth error from APNS or Web Push Service" };
    case "timeout":
      throw new Error("timeout is handled by holding the request");
  }
}

function invalidArgument(message: string): GoogleError {
  return { code: 400, status: "INVALID_ARGUMENT", fcmErrorCode: "INVALID_ARGUMENT", message };
}

/** Google's JSON error envelope, with FCM's FcmError detail when there is one. */
function googleError(error: GoogleError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      status: error.status,
      ...(error.fcmErrorCode ? { details: [{ "@type": FCM_ERROR_TYPE, errorCode: error.fcmErrorCode }] } : {}),
    },
  };
}

function targetOf(message: Record<string, unknown>): string | undefined {
  if (typeof message.token === "string") return message.token;
  if (typeof message.topic === "string") return `/topics/${message.topic}`;
  if (typeof message.condition === "string") return message.condition;
  return undefined;
}

/** gtoken posts application/x-www-form-urlencoded; JSON is accepted too. */
function parseForm(req: Req, bytes: Buffer): Record<string, string | undefined> {
  const text = bytes.toString("utf8");
  if ((header(req, "content-type") ?? "").includes("json")) {
    try {
      const json = JSON.parse(text) as unknown;
      if (isObject(json)) return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, typeof v === "string" ? v : undefined]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
