import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { createSandboxCredentials, startSandbox, type Sandbox } from "@notify/sandbox";
import { BatchingProvider } from "./batching.js";
import { DeadTargetError, ProviderError, RetryableProviderError } from "./errors.js";
import { FcmPushProvider } from "./fcm.js";
import { PostmarkEmailProvider } from "./postmark.js";
import type { EmailMessage, PushMessage } from "./provider.js";

/** Settles every send, as the concurrent delivery runs of a worker would. */
const settleAll = <T>(sends: Promise<T>[]) => Promise.allSettled(sends);
const reason = (r: PromiseSettledResult<unknown>) => (r.status === "rejected" ? (r.reason as ProviderError) : assert.fail("expected a rejection"));

describe("BatchingProvider with the real SDKs against the simulators", () => {
  let sandbox: Sandbox;
  let postmark: PostmarkEmailProvider;
  let fcm: FcmPushProvider;

  const email = (to: string): EmailMessage => ({ to, from: "sender@notify.example", subject: `for ${to}`, text: "hello", metadata: { notificationId: randomUUID() } });
  const push = (token: string): PushMessage => ({ token, messageId: randomUUID(), priority: "high", title: "Hi", data: { n: token } });
  const postmarkCalls = () => sandbox.recorder.list({ provider: "postmark" });
  const fcmSends = () => sandbox.recorder.list({ provider: "fcm" }).filter((r) => r.path.endsWith("/messages:send"));

  before(async () => {
    sandbox = await startSandbox({ credentials: await createSandboxCredentials(), controlToken: "test-control-token-0123456789", ports: { control: 0, postmark: 0, twilio: 0, apns: 0, fcm: 0, webpush: 0 } });
    const { postmark: pm, fcm: f, tls } = sandbox.credentials;
    postmark = new PostmarkEmailProvider({ serverToken: pm.serverToken, apiHost: new URL(sandbox.urls.postmark).host, useHttps: false, timeoutSeconds: 5 });
    fcm = await FcmPushProvider.create({
      serviceAccount: { type: "service_account", project_id: f.projectId, client_email: f.clientEmail, private_key_id: f.privateKeyId, private_key: f.privateKeyPem },
      redirect: { url: sandbox.urls.fcm, ca: tls.caCertPem },
    });
  });
  after(async () => {
    await fcm?.close();
    await sandbox?.close();
  });
  beforeEach(() => {
    sandbox.faults.clear();
    sandbox.recorder.clear();
  });

  test("sends made within the wait go out as one Postmark /email/batch; each caller gets its own MessageID", async () => {
    const batching = BatchingProvider.wrap(postmark, { waitMs: 200 });
    const to = ["a@example.com", "b@example.com", "c@example.com", "d@example.com"];
    const results = await settleAll(to.map((t) => batching.send(email(t))));

    const calls = postmarkCalls();
    assert.deepEqual([...new Set(calls.map((c) => c.path))], ["/email/batch"], "no single /email call");
    assert.deepEqual(calls.map((c) => c.target).sort(), to);
    const ids = new Map(calls.map((c) => [c.target, (c.response.body as { MessageID: string }).MessageID]));
    const batchIds = new Set<string>();
    results.forEach((r, i) => {
      assert.equal(r.status, "fulfilled");
      const receipt = (r as PromiseFulfilledResult<{ providerMessageId: string; detail?: { batch?: { id: string; size: number } } }>).value;
      assert.equal(receipt.providerMessageId, ids.get(to[i]!), "answers map back to their own message");
      assert.equal(receipt.detail?.batch?.size, 4);
      batchIds.add(receipt.detail!.batch!.id);
    });
    assert.equal(batchIds.size, 1);
  });

  test("a lone send uses the plain API; maxSize splits a burst", async () => {
    const batching = BatchingProvider.wrap(postmark, { waitMs: 50, maxSize: 2 });
    await batching.send(email("alone@example.com"));
    assert.deepEqual(postmarkCalls().map((c) => c.path), ["/email"]);
    sandbox.recorder.clear();
    const results = await settleAll(["1", "2", "3", "4", "5"].map((n) => batching.send(email(`x${n}@example.com`))));
    assert.ok(results.every((r) => r.status === "fulfilled"));
    // Two full batches leave at once; the fifth waits alone and goes out by itself.
    assert.deepEqual(postmarkCalls().map((c) => c.path).sort(), ["/email", "/email/batch", "/email/batch", "/email/batch", "/email/batch"]);
  });

  test("a mixed Postmark batch: the inactive recipient (406) fails alone as a dead address, the others succeed", async () => {
    const batching = BatchingProvider.wrap(postmark, { waitMs: 200 });
    sandbox.faults.add({ provider: "postmark", kind: "invalid_target", target: "gone@example.com", remaining: 1 });
    const to = ["ok1@example.com", "gone@example.com", "ok2@example.com"];
    const [ok1, gone, ok2] = await settleAll(to.map((t) => batching.send(email(t))));
    assert.equal(ok1!.status, "fulfilled");
    assert.equal(ok2!.status, "fulfilled");
    const err = reason(gone!);
    assert.ok(err instanceof DeadTargetError, String(err));
    assert.equal(err.code, "406");
    assert.equal(new Set(postmarkCalls().map((c) => c.path)).size, 1);
  });

  test("a Postmark 429 for the whole batch is every message's retryable error, with its Retry-After", async () => {
    const batching = BatchingProvider.wrap(postmark, { waitMs: 200 });
    sandbox.faults.add({ provider: "postmark", kind: "rate_limit", remaining: 1, retryAfterSeconds: 3 });
    const results = await settleAll(["r1@example.com", "r2@example.com"].map((t) => batching.send(email(t))));
    for (const r of results) {
      const err = reason(r);
      assert.ok(err instanceof RetryableProviderError);
      assert.equal(err.code, "429");
      assert.equal(err.retryAfterMs, 3000);
    }
  });

  test("FCM: one sendEach for the batch, one messages:send per message; a dead token fails alone", async () => {
    const batching = BatchingProvider.wrap(fcm, { waitMs: 200 });
    const tokens = ["good-token-1:APA91b-aaaa", "dead-token-2:APA91b-bbbb", "good-token-3:APA91b-cccc"];
    sandbox.faults.add({ provider: "fcm", kind: "invalid_target", target: tokens[1], remaining: 1 });
    const [good1, dead, good3] = await settleAll(tokens.map((t) => batching.send(push(t))));

    assert.equal(fcmSends().length, 3);
    const names = new Map(fcmSends().map((r) => [r.target, (r.response.body as { name?: string }).name]));
    for (const [i, r] of [[0, good1], [2, good3]] as const) {
      assert.equal(r!.status, "fulfilled");
      const receipt = (r as PromiseFulfilledResult<{ providerMessageId: string; detail?: { batch?: { size: number } } }>).value;
      assert.equal(receipt.providerMessageId, names.get(tokens[i]));
      assert.equal(receipt.detail?.batch?.size, 3);
    }
    const err = reason(dead!);
    assert.ok(err instanceof DeadTargetError);
    assert.equal(err.code, "messaging/registration-token-not-registered");
  });

  test("FCM: a transient failure of one message is that message's retryable error only", async () => {
    const batching = BatchingProvider.wrap(fcm, { waitMs: 200 });
    const tokens = ["slow-token-1:APA91b-aaaa", "fine-token-2:APA91b-bbbb"];
    sandbox.faults.add({ provider: "fcm", kind: "timeout", target: tokens[0], remaining: 1, delayMs: 50 });
    const [slow, fine] = await settleAll(tokens.map((t) => batching.send(push(t))));
    assert.ok(reason(slow!) instanceof RetryableProviderError);
    assert.equal(fine!.status, "fulfilled");
  });

  test("providers without a batch API, or a wait of 0, are left as they are", () => {
    assert.equal(BatchingProvider.wrap(postmark, { waitMs: 0 }), postmark);
    assert.equal(BatchingProvider.wrap(postmark, undefined), postmark);
    const plain = { name: "plain", send: postmark.send.bind(postmark) };
    assert.equal(BatchingProvider.wrap(plain, { waitMs: 20 }), plain);
  });
});
