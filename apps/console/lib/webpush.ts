import "server-only";
import { callApi } from "./api";
import { consoleEnv } from "./env";
import { graphql } from "./graphql";
import type { SandboxPushMessage, SandboxSubscriptionResponse } from "./webpush-wire";

const PUBLIC_KEY = graphql(`
  query WebPushPublicKey {
    webPushPublicKey
  }
`);

const REGISTER_WEB_DEVICE = graphql(`
  mutation RegisterWebDevice($input: RegisterDeviceInput!) {
    registerDevice(input: $input) {
      id
      state
      token
    }
  }
`);

/** The sandbox control API did not answer as expected. */
export class SandboxPushServiceError extends Error {
  override name = "SandboxPushServiceError";
  constructor(
    message: string,
    readonly status = 502,
  ) {
    super(message);
  }
}

export async function webPushPublicKey(): Promise<string> {
  return (await callApi(PUBLIC_KEY, {})).webPushPublicKey;
}

export async function registerWebDevice(externalId: string, endpoint: string, keys: { p256dh: string; auth: string }) {
  const data = await callApi(REGISTER_WEB_DEVICE, { input: { externalId, platform: "WEB", token: endpoint, webPushKeys: keys } });
  return data.registerDevice;
}

async function control(path: string, init: RequestInit = {}): Promise<Response> {
  const { sandboxControlUrl, sandboxControlToken } = consoleEnv();
  // The control API answers 401 without its token (everything but /health).
  const headers = { ...(init.headers as Record<string, string> | undefined), ...(sandboxControlToken ? { authorization: `Bearer ${sandboxControlToken}` } : {}) };
  try {
    return await fetch(`${sandboxControlUrl}${path}`, { ...init, headers, cache: "no-store", signal: AbortSignal.timeout(3000) });
  } catch (err) {
    throw new SandboxPushServiceError(`The sandbox at ${sandboxControlUrl} did not answer: ${(err as Error).message}`);
  }
}

async function json<T>(res: Response, what: string): Promise<T> {
  const body = (await res.json().catch(() => null)) as (T & { message?: string; error?: string }) | null;
  if (!res.ok || body === null) {
    throw new SandboxPushServiceError(`${what}: the sandbox answered ${res.status} ${body?.message ?? body?.error ?? ""}`.trim(), res.status === 404 ? 404 : 502);
  }
  return body;
}

/** Whether the sandbox (and its Web Push simulator) runs next to this console. */
export async function sandboxPushService(): Promise<{ controlUrl: string } | null> {
  try {
    const res = await control("/health");
    const health = (await res.json()) as { simulators?: Record<string, string> };
    return res.ok && health.simulators?.webpush ? { controlUrl: consoleEnv().sandboxControlUrl } : null;
  } catch {
    return null;
  }
}

/**
 * A subscription whose keys the sandbox push service holds, as a browser's push service would
 * mint one; bound to the API's VAPID key, so only the platform's workers can push to it.
 */
export async function createSandboxSubscription(applicationServerKey: string): Promise<SandboxSubscriptionResponse> {
  const res = await control("/webpush/subscriptions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ applicationServerKey }),
  });
  const subscription = await json<PushSubscriptionJSON>(res, "Creating a sandbox subscription");
  const id = subscription.endpoint ? new URL(subscription.endpoint).pathname.split("/").pop() : undefined;
  if (!id) throw new SandboxPushServiceError("The sandbox returned a subscription without an endpoint");
  return { id, subscription };
}

export async function sandboxMessages(id: string, after: string | null): Promise<SandboxPushMessage[]> {
  const query = after ? `?after=${encodeURIComponent(after)}` : "";
  const res = await control(`/webpush/subscriptions/${encodeURIComponent(id)}/messages${query}`);
  return json<SandboxPushMessage[]>(res, "Reading the sandbox subscription's messages");
}
