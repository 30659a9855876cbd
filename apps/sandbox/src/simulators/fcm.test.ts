import assert from "node:assert/strict";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import http2 from "node:http2";
import https from "node:https";
import { after, before, beforeEach, describe, test } from "node:test";
import type { FirebaseError } from "firebase-admin/app";
import type { Message } from "firebase-admin/messaging";
import type { FaultKind } from "../core/faults.js";
import type { RunningSimulator, SimulatorContext } from "../core/simulator.js";
import type { SandboxCredentials } from "../credentials.js";
import { createSandboxFirebase, type SandboxFirebase, type ServiceAccountJson } from "@notify/sdk-redirect";
import { testContext, testCredentials } from "../testing.js";
import { startFcmSimulator } from "./fcm.js";

const TOKEN = "dGVzdC10b2tlbi0x:APA91bH-sandbox_device_token_0001";
const message = (token = TOKEN, extra: Partial<Message> = {}): Message =>
  ({ token, notification: { title: "Hello", body: "World" }, data: { orderId: "42" }, ...extra }) as Message;

async function firebaseError(p: Promise<unknown>): Promise<FirebaseError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err && typeof (err as FirebaseError).code === "string", `expected a FirebaseError, got ${String(err)}`);
    return err as FirebaseError;
  }
  assert.fail("expected the request to fail");
}

function serviceAccount(creds: SandboxCredentials, privateKey = creds.fcm.privateKeyPem): ServiceAccountJson {
  return {
    type: "service_account",
    project_id: creds.fcm.projectId,
    private_key_id: creds.fcm.privateKeyId,
    private_key: privateKey,
    client_email: creds.fcm.clientEmail,
  };
}

/** A raw HTTPS call, for requests firebase-admin validates away before sending. */
function rawPost(sim: RunningSimulator, ca: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = https.request(new URL(path, sim.url), { method: "POST", ca, headers: { "content-type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
    });
    req.on("error", reject);
    req.end(text);
  });
}

describe("fcm simulator with the official firebase-admin SDK", () => {
  let creds: SandboxCredentials;
  let ctx: SimulatorContext;
  let sim: RunningSimulator;
  let fb: SandboxFirebase;
  const sendPath = () => `/v1/projects/${creds.fcm.projectId}/messages:send`;

  before(async () => {
    creds = await testCredentials();
    ctx = testContext();
    sim = await startFcmSimulator(ctx, { host: "127.0.0.1", port: 0, credentials: creds });
    fb = await createSandboxFirebase({ url: sim.url, ca: creds.tls.caCertPem, serviceAccount: serviceAccount(creds), appName: `fcm-test-${randomUUID()}` });
  });
  after(async () => {
    await fb.close();
    await sim.close();
  });
  beforeEach(() => {
    ctx.faults.clear();
  });

  test("send(): exchanges the service-account JWT for a token, then sends with it", async () => {
    ctx.recorder.clear();
    const name = await fb.messaging.send(
      message(TOKEN, { android: { priority: "high", ttl: 3_600_000, collapseKey: "orders", notification: { channelId: "orders" } } }),
    );
    assert.match(name, new RegExp(`^projects/${creds.fcm.projectId}/messages/0:\\d+%[0-9a-f]+$`));

    const [tokenCall] = ctx.recorder.list({ provider: "fcm" }).filter((e) => e.path === "/token");
    assert.ok(tokenCall, "the OAuth token endpoint was called");
    assert.equal(tokenCall.accepted, true);
    const { claims } = tokenCall.body as { claims: Record<string, unknown> };
    assert.equal(claims.iss, creds.fcm.clientEmail);
    assert.equal(claims.aud, "https://oauth2.googleapis.com/token");
    assert.match(String(claims.scope), /firebase\.messaging/);

    const [sent] = ctx.recorder.list({ provider: "fcm", target: TOKEN });
    assert.equal(sent.accepted, true);
    assert.equal(sent.path, sendPath());
    assert.match(sent.headers.authorization, /^Bearer ya29\.sandbox-/);
    assert.deepEqual((sent.body as { message: unknown }).message, {
      token: TOKEN,
      notification: { title: "Hello", body: "World" },
      data: { orderId: "42" },
      android: { priority: "high", ttl: "3600s", collapse_key: "orders", notification: { channel_id: "orders" } },
    });
    assert.deepEqual(sent.response, { status: 200, body: { name } });
  });

  test("sendEach() over the legacy HTTP/1.1 transport, with per-message failures", async () => {
    ctx.recorder.clear();
    const dead = "dead-token-0000000000";
    ctx.faults.add({ provider: "fcm", kind: "invalid_target", target: dead });
    const result = await fb.messaging.sendEach([message(TOKEN), message(dead), message(undefined, { token: undefined, topic: "news" } as Partial<Message>)]);
    assert.equal(result.successCount, 2);
    assert.equal(result.failureCount, 1);
    assert.equal(result.responses[1].error?.code, "messaging/registration-token-not-registered");
    assert.deepEqual(
      ctx.recorder.list({ provider: "fcm" }).filter((e) => e.path === sendPath()).map((e) => [e.target, e.accepted]).sort(),
      [[TOKEN, true], ["/topics/news", true], [dead, false]].sort(),
    );
  });

  test("validate_only (dryRun) is answered but flagged in the recording", async () => {
    ctx.recorder.clear();
    await fb.messaging.send(message(), true);
    assert.equal((ctx.recorder.list({ target: TOKEN })[0].body as { validate_only?: boolean }).validate_only, true);
  });

  test("rejects messages over 4096 bytes", async () => {
    const err = await firebaseError(fb.messaging.send(message(TOKEN, { data: { blob: "x".repeat(5000) } })));
    assert.equal(err.code, "messaging/invalid-argument");
  });

  test("rejects non-string data and unknown bearer tokens like FCM", async () => {
    const { access_token: accessToken } = await fb.app.options.credential!.getAccessToken();
    const bad = await rawPost(sim, creds.tls.caCertPem, sendPath(), { message: { token: TOKEN, data: { n: 1 } } }, { authorization: `Bearer ${accessToken}` });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.status, "INVALID_ARGUMENT");
    assert.deepEqual(bad.body.error.details, [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "INVALID_ARGUMENT" }]);

    const anon = await rawPost(sim, creds.tls.caCertPem, sendPath(), { message: { token: TOKEN } }, { authorization: "Bearer forged" });
    assert.equal(anon.status, 401);
    assert.equal(anon.body.error.status, "UNAUTHENTICATED");

    const otherProject = await rawPost(sim, creds.tls.caCertPem, "/v1/projects/someone-else/messages:send", { message: { token: TOKEN } }, { authorization: `Bearer ${accessToken}` });
    assert.equal(otherProject.status, 403);
  });

  test("HTTP/2 clients are served too (firebase-admin's default sendEach transport speaks h2)", async () => {
    const session = http2.connect(sim.url, { ca: creds.tls.caCertPem });
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ":method": "POST", ":path": sendPath(), "content-type": "application/json" });
      req.on("response", (h) => resolve(Number(h[":status"])));
      req.on("error", reject);
      req.end(JSON.stringify({ message: { token: TOKEN } }));
    });
    session.close();
    assert.equal(status, 401);
  });

  test("the token endpoint refuses assertions signed with another key", async () => {
    ctx.recorder.clear();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const impostor = await createSandboxFirebase({
      url: sim.url,
      ca: creds.tls.caCertPem,
      serviceAccount: serviceAccount(creds, privateKey.export({ type: "pkcs8", format: "pem" }).toString()),
      appName: `fcm-impostor-${randomUUID()}`,
    });
    await assert.rejects(impostor.messaging.send(message()), /invalid_grant|Invalid JWT Signature/);
    await impostor.close();
    const calls = ctx.recorder.list({ provider: "fcm" });
    assert.ok(calls.length > 0 && calls.every((e) => e.path === "/token" && !e.accepted));
  });

  const faultCases: Array<[FaultKind, string]> = [
    ["rate_limit", "messaging/message-rate-exceeded"],
    ["server_error", "messaging/internal-error"],
    ["invalid_target", "messaging/registration-token-not-registered"],
    ["bad_request", "messaging/invalid-argument"],
    ["auth", "messaging/third-party-auth-error"],
  ];
  for (const [kind, code] of faultCases) {
    test(`fault ${kind} -> ${code}`, async () => {
      ctx.recorder.clear();
      ctx.faults.add({ provider: "fcm", kind, target: TOKEN, remaining: 1 });
      const err = await firebaseError(fb.messaging.send(message()));
      assert.equal(err.code, code);
      if (kind === "rate_limit") assert.equal(ctx.recorder.list({ target: TOKEN })[0].response.status, 429);
      await fb.messaging.send(message());
    });
  }

  test("fault unavailable: firebase-admin retries 503s, then gives up with server-unavailable", async () => {
    ctx.recorder.clear();
    ctx.faults.add({ provider: "fcm", kind: "unavailable", target: TOKEN, remaining: 1 });
    await fb.messaging.send(message());
    assert.deepEqual(ctx.recorder.list({ target: TOKEN }).map((e) => e.response.status), [503, 200]);

    // Four retries with 0+1+2+4 s of backoff; a Retry-After of 0 changes nothing, so this takes ~7 s.
    ctx.faults.add({ provider: "fcm", kind: "unavailable", target: TOKEN, remaining: 5 });
    const err = await firebaseError(fb.messaging.send(message()));
    assert.equal(err.code, "messaging/server-unavailable");
  });

  test("fault timeout: the dropped connection is retried by firebase-admin", async () => {
    ctx.recorder.clear();
    ctx.faults.add({ provider: "fcm", kind: "timeout", target: TOKEN, remaining: 1, delayMs: 50 });
    await fb.messaging.send(message());
    assert.deepEqual(ctx.recorder.list({ target: TOKEN }).map((e) => e.response.status), [0, 200]);
  });
});
