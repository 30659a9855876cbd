import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { getApps } from "firebase-admin/app";
import { createSandboxCredentials, startSandbox, type FaultKind, type Sandbox } from "@notify/sandbox";
import { DeadTargetError, PermanentProviderError, ProviderError, RetryableProviderError } from "./errors.js";
import { FcmPushProvider, type FcmConfig } from "./fcm.js";
import type { PushMessage } from "./provider.js";

const TOKEN = "fcm-token-0001:APA91bH_sandbox-device";

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the send to fail");
}

describe("FcmPushProvider against the FCM simulator (firebase-admin, HTTP v1 + OAuth2)", () => {
  let sandbox: Sandbox;
  let provider: FcmPushProvider;
  let config: FcmConfig;
  const message = (extra: Partial<PushMessage> = {}): PushMessage => ({ token: TOKEN, messageId: randomUUID(), priority: "high", title: "Hi", body: "There", ...extra });
  const sends = () => sandbox.recorder.list({ provider: "fcm" }).filter((r) => r.path.endsWith("/messages:send"));

  before(async () => {
    sandbox = await startSandbox({ credentials: await createSandboxCredentials(), controlToken: "test-control-token-0123456789", ports: { control: 0, postmark: 0, twilio: 0, apns: 0, fcm: 0, webpush: 0 } });
    const { fcm, tls } = sandbox.credentials;
    config = {
      serviceAccount: { type: "service_account", project_id: fcm.projectId, client_email: fcm.clientEmail, private_key_id: fcm.privateKeyId, private_key: fcm.privateKeyPem },
      redirect: { url: sandbox.urls.fcm, ca: tls.caCertPem },
    };
    provider = await FcmPushProvider.create(config);
  });
  after(async () => {
    await provider?.close();
    await sandbox?.close();
  });
  beforeEach(() => {
    sandbox.faults.clear();
  });

  test("exchanges the service-account JWT for a token once, then sends notification, data and android options", async () => {
    sandbox.recorder.clear();
    const expiresAt = new Date(Date.now() + 600_000);
    const receipt = await provider.send(
      message({ data: { orderId: "42" }, url: "https://example.com/o/42", sound: "ping", badge: 2, collapseId: "order-42", expiresAt, priority: "normal" }),
    );
    await provider.send(message());
    const tokenCalls = sandbox.recorder.list({ provider: "fcm" }).filter((r) => r.path === "/token");
    assert.equal(tokenCalls.length, 1, "the access token is cached across sends");
    assert.equal(tokenCalls[0].accepted, true);

    const [first, second] = sends();
    assert.equal(sends().length, 2);
    assert.equal(first.accepted, true);
    assert.equal(receipt.providerMessageId, (first.response.body as { name: string }).name);
    assert.match(receipt.providerMessageId, new RegExp(`^projects/${sandbox.credentials.fcm.projectId}/messages/`));
    assert.match(first.headers.authorization, /^Bearer ya29\.sandbox-/);
    const sent = (first.body as { message: Record<string, any> }).message;
    assert.equal(sent.token, TOKEN);
    assert.deepEqual(sent.notification, { title: "Hi", body: "There" });
    assert.deepEqual(sent.data, { orderId: "42", url: "https://example.com/o/42" });
    assert.equal(sent.android.priority, "normal");
    assert.equal(sent.android.collapse_key, "order-42");
    assert.equal(sent.android.ttl, "600s");
    assert.deepEqual(sent.android.notification, { sound: "ping", notification_count: 2 });
    assert.deepEqual((second.body as { message: Record<string, any> }).message.android, { priority: "high" });
  });

  const faults: Array<[FaultKind, new (...args: never[]) => ProviderError, string]> = [
    ["rate_limit", RetryableProviderError, "messaging/message-rate-exceeded"],
    ["server_error", RetryableProviderError, "messaging/internal-error"],
    ["unavailable", RetryableProviderError, "messaging/server-unavailable"],
    ["timeout", RetryableProviderError, "app/network-error"],
    ["invalid_target", DeadTargetError, "messaging/registration-token-not-registered"],
    ["bad_request", DeadTargetError, "messaging/invalid-argument"],
    ["auth", PermanentProviderError, "messaging/third-party-auth-error"],
  ];
  for (const [kind, type, code] of faults) {
    test(`fault ${kind} → ${type.name} ${code}, after exactly one request (no hidden SDK retries)`, async () => {
      await provider.send(message()); // the access token is fetched outside the measured request
      sandbox.recorder.clear();
      sandbox.faults.add({ provider: "fcm", kind, target: TOKEN, remaining: 1, delayMs: 50 });
      const err = await failure(provider.send(message()));
      assert.equal(err.constructor, type, err.message);
      assert.equal(err.code, code);
      assert.equal(sends().length, 1);
      if (kind === "rate_limit") assert.equal((err as RetryableProviderError).retryAfterMs, 1000);
    });
  }

  test("an invalid payload (too big) is permanent, not a dead token", async () => {
    const err = await failure(provider.send(message({ data: { blob: "x".repeat(5000) } })));
    assert.equal(err.constructor, PermanentProviderError);
    assert.equal(err.code, "messaging/invalid-argument");
  });

  test("a token endpoint that cannot be reached is retryable; close() deletes the firebase app", async () => {
    const before = getApps().length;
    const nowhere = await FcmPushProvider.create({ ...config, redirect: { url: "https://127.0.0.1:1", ca: config.redirect!.ca } });
    assert.equal(getApps().length, before + 1);
    const err = await failure(nowhere.send(message()));
    assert.ok(err instanceof RetryableProviderError, `${err.constructor.name}: ${err.message}`);
    await nowhere.close();
    assert.equal(getApps().length, before);
  });
});
