import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Cluster } from "ioredis";
import { privateServicesAvailable, startPrivateRedisCluster, type PrivateRedisCluster } from "./harness/private-services.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const available = privateServicesAvailable();
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id channel } } }`;

describe("Redis Cluster: API and workers on a three-shard cluster", { skip: available.ok ? false : `needs ${available.missing.join(", ")}` }, () => {
  let cluster: PrivateRedisCluster;
  let stack: Stack;
  let key: KeyPair;
  let redis: Cluster;

  before(async () => {
    cluster = await startPrivateRedisCluster(3);
    stack = await Stack.start({ workers: 1, redisUrl: cluster.url, env: { API_COST_BUDGET: "500" } });
    key = stack.createKeyPair();
    redis = new Cluster(cluster.ports.map((port) => ({ host: "127.0.0.1", port })));
    const res = await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "c", email: "c@example.com", phone: "+14155550123" }) { id } }`);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  });
  after(async () => {
    redis?.disconnect();
    await stack?.stop();
    await cluster?.stop();
  });

  test("email and SMS are delivered through queues that live on different shards", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await stack.graphql(key, SEND, { input: { externalId: "c", channels: ["EMAIL", "SMS"], content: { subject: `s${i}`, body: `b${i}` } } });
      assert.equal(res.errors, undefined, JSON.stringify(res.errors));
      ids.push(...res.data!.sendNotification.notifications.map((n: { id: string }) => n.id));
    }
    await stack.eventually(
      () => stack.db.notification.count({ where: { id: { in: ids }, status: { in: ["SENT", "DELIVERED"] } } }),
      (n) => n === 20,
      30_000,
    );
    assert.equal(stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).length, 10);
    assert.equal(stack.sandbox.recorder.list({ provider: "twilio", accepted: true }).length, 10);

    // Each queue's keys share one slot (BullMQ's scripts need that); the queues do not share one.
    const slotOf = async (k: string) => Number(await redis.call("CLUSTER", "KEYSLOT", k));
    const emailSlots = new Set(await Promise.all(["notify:{deliver-email}:wait", "notify:{deliver-email}:completed", `notify:{deliver-email}:${ids[0]}`].map(slotOf)));
    assert.equal(emailSlots.size, 1);
    const queueSlots = await Promise.all(["email", "sms", "ios-push", "android-push", "web-push"].map((q) => slotOf(`notify:{deliver-${q}}:wait`)));
    const shardOf = async (slot: number) => {
      const ranges = (await redis.call("CLUSTER", "SLOTS")) as [number, number, [string, number]][];
      return ranges.find(([from, to]) => slot >= from && slot <= to)![2][1];
    };
    const shards = new Set(await Promise.all(queueSlots.map(shardOf)));
    assert.ok(shards.size >= 2, `the five queues sit on ${shards.size} shard(s)`);
    assert.ok((await redis.exists(`notify:{deliver-email}:meta`)) === 1, "the email queue's keys are in the cluster");
  });
});
