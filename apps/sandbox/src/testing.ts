/** Helpers for this package's tests (and for other packages' tests that need a webhook receiver). */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createSandboxCredentials, type SandboxCredentials } from "./credentials.js";
import { FaultInjector } from "./core/faults.js";
import { Recorder } from "./core/recorder.js";
import type { SimulatorContext } from "./core/simulator.js";

let shared: Promise<SandboxCredentials> | undefined;
/** Generating keys takes a moment, so test files share one set. */
export function testCredentials(): Promise<SandboxCredentials> {
  return (shared ??= createSandboxCredentials());
}

export function testContext(): SimulatorContext {
  return { recorder: new Recorder(), faults: new FaultInjector() };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server standing in for the platform's webhook endpoints. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Resolves with the first `count` requests that `match` (all requests by default), once they have arrived. */
  waitFor(count: number, match?: (r: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(status = 200): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  let notify = () => {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(status).end();
      notify();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    waitFor(count, match = () => true, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const matching = () => received.filter(match);
        const timer = setTimeout(() => reject(new Error(`only ${matching().length} of ${count} webhooks arrived`)), timeoutMs);
        notify = () => {
          if (matching().length >= count) {
            clearTimeout(timer);
            resolve(matching().slice(0, count));
          }
        };
        notify();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
