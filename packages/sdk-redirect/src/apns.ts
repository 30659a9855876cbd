import type { ApnsClient } from "apns2";
import { Pool } from "undici";
import type { RedirectTarget } from "./redirect-agent.js";

/** Builds the Pool apns2 sends through; callers may pass a Pool subclass (e.g. to add headers). */
export type ApnsPoolFactory = (origin: string, options: Pool.Options) => Pool;

const plainPool: ApnsPoolFactory = (origin, options) => new Pool(origin, options);

/** The settings apns2 gives its own Pool (HTTP/2 via ALPN), plus the CA to trust when one is given. */
export function apnsPoolOptions(client: ApnsClient, ca?: string): Pool.Options {
  return {
    connections: client.keepAlive ? 32 : 1,
    pipelining: client.keepAlive ? 1 : 0,
    allowH2: true,
    maxConcurrentStreams: 100,
    ...(ca ? { connect: { ca } } : {}),
  };
}

/**
 * Makes `client` send through `pool`. apns2 builds its own undici Pool in the constructor and
 * offers no way to pass one in; `client` is a plain (TypeScript-readonly) field that send() and
 * ping() read on every call. The original Pool never connected (undici connects lazily); it is
 * closed here.
 */
export function replaceApnsPool(client: ApnsClient, pool: Pool): ApnsClient {
  const original = client.client;
  (client as { client: Pool }).client = pool;
  void original.close();
  return client;
}

/**
 * apns2 only lets you choose the host (port fixed at 443), so sandbox mode swaps its Pool for
 * one aimed at the simulator, with the same settings apns2 uses plus the sandbox CA.
 */
export function redirectApnsClient(client: ApnsClient, target: RedirectTarget, createPool: ApnsPoolFactory = plainPool): ApnsClient {
  return replaceApnsPool(client, createPool(target.url, apnsPoolOptions(client, target.ca)));
}
