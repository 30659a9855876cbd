import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ok } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;

describe("health endpoints and graceful shutdown", () => {
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    stack = await Stack.start({ workers: 1 });
    key = stack.createKeyPair();
    ok(await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "s", email: "s@example.com" }) { id } }`));
  });
  after(() => stack?.stop());

  test("API and workers answer liveness and readiness", async () => {
    for (const base of [stack.apiUrl, stack.workers[0]!.healthUrl!]) {
      const live = await fetch(`${base}/health`);
      assert.equal(live.status, 200);
      const ready = await fetch(`${base}/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual({ ...((await ready.json()) as object) }, { ...(await fetch(`${base}/ready`).then((r) => r.json())) });
    }
    const worker = (await fetch(`${stack.workers[0]!.healthUrl}/ready`).then((r) => r.json())) as { postgres: string; redis: string; workers: { running: boolean }[]; draining: boolean };
    assert.equal(worker.postgres, "ok");
    assert.equal(worker.redis, "ok");
    assert.equal(worker.draining, false);
    assert.ok(worker.workers.length >= 1 && worker.workers.every((w) => w.running));
  });

  test("SIGTERM: the worker stops taking work, reports not ready, finishes in-flight deliveries and exits 0", async () => {
    // A slow provider keeps the deliveries in flight while the signal arrives.
    stack.sandbox.faults.setLatency("postmark", 3_000);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(ok(await stack.graphql(key, SEND, { input: { externalId: "s", channels: ["EMAIL"], content: { subject: `in flight ${i}`, body: "b" } } })).sendNotification.notifications[0].id);
    await stack.eventually(() => stack.db.notification.count({ where: { id: { in: ids }, status: "SENDING" } }), (n) => n === 3);

    const worker = stack.workers[0]!;
    const exited = new Promise<number | null>((resolve) => worker.child.once("exit", (code) => resolve(code)));
    worker.child.kill("SIGTERM");
    const ready = await stack.eventually(() => fetch(`${worker.healthUrl}/ready`).then(async (r) => ({ status: r.status, body: (await r.json()) as { draining: boolean } })), (r) => r.body.draining);
    assert.equal(ready.status, 503, "a draining worker is not ready");
    // Sent after the signal: must wait in the queue for another worker, not be picked up by this one.
    const late = ok(await stack.graphql(key, SEND, { input: { externalId: "s", channels: ["EMAIL"], content: { subject: "after SIGTERM", body: "b" } } })).sendNotification.notifications[0].id as string;

    assert.equal(await exited, 0, worker.output());
    const rows = await stack.db.notification.findMany({ where: { id: { in: ids } } });
    assert.deepEqual(rows.map((r) => r.status === "SENT" || r.status === "DELIVERED"), [true, true, true], "in-flight deliveries finished before exit");
    assert.equal(await stack.db.deliveryAttempt.count({ where: { notificationId: { in: ids }, status: "SUCCEEDED" } }), 3);
    assert.equal((await stack.db.notification.findUniqueOrThrow({ where: { id: late } })).status, "QUEUED");

    stack.sandbox.faults.setLatency("postmark", 0);
    await stack.startWorker();
    await stack.eventually(() => stack.db.notification.findUniqueOrThrow({ where: { id: late } }), (n) => n.status === "SENT" || n.status === "DELIVERED");
    assert.equal(stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).length, 4, "each handed over once");
  });
});
