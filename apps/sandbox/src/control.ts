import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultInjector, FaultKind, NewFaultRule } from "./core/faults.js";
import { BodyTooLargeError, readBody, sendJson, startHttpServer } from "./core/http.js";
import type { ProviderName, RecordFilter, Recorder } from "./core/recorder.js";
import { redactRecording } from "./core/redact.js";
import type { RunningSimulator, SimulatorContext } from "./core/simulator.js";

export const PROVIDERS: readonly ProviderName[] = ["postmark", "twilio", "apns", "fcm", "webpush"];
const FAULT_KINDS: readonly FaultKind[] = ["rate_limit", "server_error", "unavailable", "timeout", "invalid_target", "bad_request", "auth"];

export interface ControlServerOptions {
  host: string;
  port: number;
  recorder: Recorder;
  faults: FaultInjector;
  simulators: RunningSimulator[];
  /**
   * Required as `Authorization: Bearer <token>` on every route but /health: the control API
   * injects faults, triggers provider webhooks and shows what the providers received.
   */
  token: string;
  logger?: SimulatorContext["logger"];
}

/** Shortest control token accepted: it guards fault injection and webhook triggering. */
export const MIN_CONTROL_TOKEN_LENGTH = 24;

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? "")?.[1] ?? "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

class BadRequest extends Error {}

function providerParam(value: string | null): ProviderName | undefined {
  if (value === null || value === "") return undefined;
  if (!PROVIDERS.includes(value as ProviderName)) throw new BadRequest(`provider must be one of ${PROVIDERS.join(", ")}`);
  return value as ProviderName;
}

function optionalNumber(body: Record<string, unknown>, field: string, min: number): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new BadRequest(`${field} must be an integer >= ${min}`);
  return v;
}

export function parseFaultRule(body: unknown): NewFaultRule {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new BadRequest("body must be a JSON object");
  const b = body as Record<string, unknown>;
  const provider = providerParam(typeof b.provider === "string" ? b.provider : "");
  if (!provider) throw new BadRequest(`provider must be one of ${PROVIDERS.join(", ")}`);
  if (!FAULT_KINDS.includes(b.kind as FaultKind)) throw new BadRequest(`kind must be one of ${FAULT_KINDS.join(", ")}`);
  if (b.target !== undefined && b.target !== null && typeof b.target !== "string") throw new BadRequest("target must be a string");
  const rule: NewFaultRule = { provider, kind: b.kind as FaultKind };
  if (typeof b.target === "string") rule.target = b.target;
  const remaining = optionalNumber(b, "remaining", 1);
  const retryAfterSeconds = optionalNumber(b, "retryAfterSeconds", 0);
  const delayMs = optionalNumber(b, "delayMs", 0);
  if (remaining !== undefined) rule.remaining = remaining;
  if (retryAfterSeconds !== undefined) rule.retryAfterSeconds = retryAfterSeconds;
  if (delayMs !== undefined) rule.delayMs = delayMs;
  return rule;
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const raw = (await readBody(req, 1024 * 1024)).toString("utf8");
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new BadRequest("body is not valid JSON");
  }
}

/**
 * The sandbox's own HTTP JSON API, for tests, the console and people: what each simulator
 * received, fault rules, and per-simulator controls under `/<provider>/...`.
 */
export async function startControlServer(opts: ControlServerOptions): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const { recorder, faults } = opts;
  if (opts.token.length < MIN_CONTROL_TOKEN_LENGTH) throw new Error(`the sandbox control token must be at least ${MIN_CONTROL_TOKEN_LENGTH} characters (SANDBOX_CONTROL_TOKEN)`);
  const byProvider = new Map(opts.simulators.map((s) => [s.provider, s]));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const q = url.searchParams;
    const key = `${req.method} ${path}`;

    if (key === "GET /health") {
      return sendJson(res, 200, { status: "ok", simulators: Object.fromEntries(opts.simulators.map((s) => [s.provider, s.url])) });
    }
    if (key === "GET /messages") {
      const filter: RecordFilter = { provider: providerParam(q.get("provider")) };
      if (q.get("target")) filter.target = q.get("target")!;
      const accepted = q.get("accepted");
      if (accepted === "true" || accepted === "false") filter.accepted = accepted === "true";
      else if (accepted) throw new BadRequest("accepted must be true or false");
      return sendJson(res, 200, { messages: recorder.list(filter).map(redactRecording) });
    }
    if (key === "DELETE /messages") {
      recorder.clear(providerParam(q.get("provider")));
      return sendJson(res, 200, { cleared: true });
    }
    if (key === "GET /faults") return sendJson(res, 200, { faults: faults.list() });
    if (key === "POST /faults") return sendJson(res, 201, faults.add(parseFaultRule(await jsonBody(req))));
    if (key === "DELETE /faults") {
      faults.clear(providerParam(q.get("provider")));
      return sendJson(res, 200, { cleared: true });
    }
    const faultId = /^\/faults\/([^/]+)$/.exec(path);
    if (faultId && req.method === "DELETE") {
      return faults.remove(decodeURIComponent(faultId[1]))
        ? sendJson(res, 200, { removed: true })
        : sendJson(res, 404, { error: `no fault rule ${faultId[1]}` });
    }

    const own = /^\/([a-z]+)(\/.*)$/.exec(path);
    const sim = own ? byProvider.get(own[1] as ProviderName) : undefined;
    if (own && sim?.control) {
      const out = await sim.control({ method: req.method ?? "GET", path: own[2], query: q, body: await jsonBody(req) });
      if (out) return sendJson(res, out.status, out.body);
    }
    return sendJson(res, 404, { error: `no route ${req.method} ${path}` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // No CORS headers at all: only servers (the console's, tests) call this API, never a
    // browser page, so no web page a developer opens can read recordings or inject faults.
    // /health stays open (it says which simulators run, nothing more); the rest needs the token.
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/\/+$/, "") || "/";
    if (!(req.method === "GET" && path === "/health") && !bearerMatches(req.headers.authorization, opts.token)) {
      return sendJson(res, 401, { error: "the sandbox control API needs Authorization: Bearer <SANDBOX_CONTROL_TOKEN>" }, { "WWW-Authenticate": 'Bearer realm="sandbox"' });
    }
    try {
      await route(req, res);
    } catch (err) {
      if (err instanceof BadRequest) return sendJson(res, 400, { error: err.message });
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, { error: err.message });
      throw err;
    }
  }

  const server = await startHttpServer(opts.host, opts.port, handle, (err) => opts.logger?.error({ err }, "sandbox control API error"));
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return { url: `http://${host}:${server.port}`, port: server.port, close: server.close };
}
