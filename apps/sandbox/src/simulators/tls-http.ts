import http2 from "node:http2";
import type { Socket } from "node:net";
import type { ProviderName } from "../core/recorder.js";
import type { RunningSimulator } from "../core/simulator.js";

/**
 * HTTPS plumbing shared by the push simulators (APNs, FCM, Web Push): their SDKs insist on TLS and
 * APNs on HTTP/2, so they all run on node:http2's secure server and its request/response API.
 */
export type Req = http2.Http2ServerRequest;
export type Res = http2.Http2ServerResponse;

export interface TlsListenOptions {
  provider: ProviderName;
  host: string;
  port: number;
  tls: { certPem: string; keyPem: string };
  /** FCM and Web Push clients speak HTTP/1.1; APNs is HTTP/2 only. */
  allowHTTP1: boolean;
  onError?: (err: unknown) => void;
}

/** A started simulator plus a way to park requests for the `timeout` fault that close() undoes. */
export interface TlsSimulatorServer extends RunningSimulator {
  holdThenDrop(req: Req, delayMs: number): void;
}

/** Default hold for the `timeout` fault when the rule gives no delayMs: longer than SDK timeouts. */
export const DEFAULT_TIMEOUT_HOLD_MS = 30_000;

export async function listenTls(
  opts: TlsListenOptions,
  handler: (req: Req, res: Res) => Promise<void>,
): Promise<TlsSimulatorServer> {
  const sockets = new Set<Socket>();
  const held = new Map<NodeJS.Timeout, Req>();
  const server = http2.createSecureServer(
    { cert: opts.tls.certPem, key: opts.tls.keyPem, allowHTTP1: opts.allowHTTP1 },
    (req, res) => {
      handler(req, res).catch((err: unknown) => {
        opts.onError?.(err);
        // A bug in a simulator must show up as a provider 500, not hang the SDK under test.
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "simulator error" }));
        } else res.end();
      });
    },
  );
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  return {
    provider: opts.provider,
    port,
    url: `https://${reachableHost(opts.host)}:${port}`,
    holdThenDrop(req, delayMs) {
      const timer = setTimeout(() => {
        held.delete(timer);
        dropRequest(req);
      }, delayMs);
      held.set(timer, req);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [timer, req] of held) {
          clearTimeout(timer);
          dropRequest(req);
        }
        held.clear();
        server.close(() => resolve());
        // Keep-alive connections (undici pools, https agents) would otherwise keep close() pending.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Abort a request the way a dead upstream does: RST_STREAM on HTTP/2, a closed socket on HTTP/1.1. */
export function dropRequest(req: Req): void {
  const stream = (req as Partial<Req>).stream;
  if (stream) {
    if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  } else req.socket.destroy();
}

/** Reads the whole body, but stops keeping bytes past `limit` (the size is still counted). */
export async function readBody(req: Req, limit = 1024 * 1024): Promise<{ bytes: Buffer; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size + chunk.length <= limit) chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: Buffer.concat(chunks), size };
}

/** Request headers as recorded: HTTP/2 pseudo-headers dropped, repeated headers joined. */
export function headersOf(req: Req): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

export function header(req: Req, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Origin the client used to reach us (HTTP/2 :authority or HTTP/1.1 Host). */
export function requestOrigin(req: Req): string {
  return `https://${header(req, ":authority") ?? header(req, "host") ?? "127.0.0.1"}`;
}

export function pathOf(req: Req): string {
  return (req.url ?? "/").split("?")[0];
}

export function sendJson(res: Res, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=UTF-8",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Parses JSON when it is JSON; otherwise keeps the text so the recording still shows it. */
export function parseJsonOrText(bytes: Buffer): unknown {
  if (bytes.length === 0) return null;
  const text = bytes.toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function reachableHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
