import { Agent, fetch, type RequestInit, type Response } from "undici";

/**
 * How the simulators call the platform back (Twilio status callbacks, Postmark webhooks): like
 * the real services, over a bounded pool of keep-alive connections per destination, not one new
 * connection per event. With Node's default fetch, a burst of deliveries opened thousands of
 * connections to the API at once, overflowing its accept queue, so the API's own callers (the
 * bench's load client) saw connect timeouts and resets that no real deployment would.
 */
const dispatcher = new Agent({ connections: 32, pipelining: 1, keepAliveTimeout: 10_000 });

export function postCallback(url: string, init: Omit<RequestInit, "dispatcher">): Promise<Response> {
  return fetch(url, { ...init, dispatcher });
}
