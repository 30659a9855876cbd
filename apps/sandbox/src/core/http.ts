import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage, limitBytes = 20 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new BodyTooLargeError(`body larger than ${limitBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** `http://host:port`, with IPv6 hosts bracketed. */
export function httpUrl(host: string, port: number, scheme = "http"): string {
  return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Decodes an `Authorization: Basic` header; undefined when absent or malformed. */
export function basicAuth(req: IncomingMessage): { username: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const i = decoded.indexOf(":");
  return i < 0 ? undefined : { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Timers a simulator scheduled (held requests, delayed webhooks), cancelled when it closes. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.pending.delete(t);
      fn();
    }, ms);
    this.pending.add(t);
  }

  clear(): void {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }
}

/** What a provider does when its servers hang: never answer, then drop the connection. */
export function holdThenDrop(req: IncomingMessage, timers: Timers, delayMs: number): void {
  timers.after(delayMs, () => req.socket.destroy());
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * An HTTP/1.1 server on host:port (0 = random) that answers 500 when a handler throws, and
 * whose close() also drops keep-alive connections so tests and shutdown do not hang.
 */
export async function startHttpServer(
  host: string,
  port: number,
  handler: Handler,
  onError: (err: unknown) => void,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) sendJson(res, 500, { message: "simulator error" });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { server, port: (server.address() as AddressInfo).port, close };
}
