import https from "node:https";
import type { EgressPolicy } from "@notify/egress";
import type { RedirectTarget } from "./redirect-agent.js";

/**
 * Web Push needs no redirect: the endpoint comes from each subscription, and sandbox
 * subscriptions point at the simulator. web-push always uses HTTPS, so it only needs an agent
 * that trusts the sandbox CA: `sendNotification(sub, payload, { agent: webPushAgent(egress, ca), ... })`.
 * Endpoints are user-given addresses, so the agent is the egress policy's: every connection's
 * resolved address is checked (the sandbox's origin is one the policy trusts in sandbox mode).
 */
export function webPushAgent(egress: EgressPolicy, ca?: string): https.Agent {
  return egress.httpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) });
}

export interface PushSubscriptionJson {
  endpoint: string;
  expirationTime: number | null;
  keys: { p256dh: string; auth: string };
}

/** What a sandbox "browser" does on pushManager.subscribe(): the simulator mints the keys. */
export function createSandboxSubscription(target: RedirectTarget, applicationServerKey?: string): Promise<PushSubscriptionJson> {
  return requestJson<PushSubscriptionJson>(target, "POST", "/subscriptions", applicationServerKey ? { applicationServerKey } : {});
}

export interface ReceivedPush {
  id: string;
  receivedAt: string;
  ttl: number;
  urgency: string;
  topic?: string;
  payload: string | null;
}

/** Decrypted pushes a subscription received (what its service worker would see). */
export function fetchSandboxPushes(target: RedirectTarget, endpoint: string, after?: string): Promise<ReceivedPush[]> {
  const id = new URL(endpoint).pathname.split("/").pop() ?? "";
  return requestJson<ReceivedPush[]>(target, "GET", `/subscriptions/${id}/messages${after ? `?after=${encodeURIComponent(after)}` : ""}`);
}

function requestJson<T>(target: RedirectTarget, method: string, path: string, body?: unknown): Promise<T> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = https.request(new URL(path, target.url), {
      method,
      ca: target.ca,
      headers: text ? { "content-type": "application/json", "content-length": Buffer.byteLength(text) } : {},
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`${method} ${path}: ${res.statusCode} ${raw}`));
        resolve(JSON.parse(raw) as T);
      });
    });
    req.on("error", reject);
    req.end(text);
  });
}
