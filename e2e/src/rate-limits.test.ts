import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Stack, type KeyPair } from "./harness/stack.js";

const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;

describe("rate limits: limited work waits, it is not dropped", () => {
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    stack = await Stack.start({ workers: 1, env: { API_RATE_LIMIT_PER_SECOND: "5", PROVIDER_RATE_LIMITS: "EMAIL=2/1s" } });
    key = stack.createKeyPair();
    await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "r", email: "r@example.com" }) { id } }`);
  });
  after(() => stack?.stop());

  test("an API key over its request rate gets RATE_LIMITED (HTTP 429) with a retry delay", async () => {
    await new Promise((r) => setTimeout(r, 1100)); // a fresh one-second window
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 12 }, () => stack.graphql(key, `{ recipient(externalId: "r") { id } }`)));
    // A key's window opens at its first call and lasts a second; on a loaded machine the burst may
    // outlast it, and 5 may pass in each window the burst spans, no more.
    const windows = Math.max(1, Math.ceil((Date.now() - started) / 1000));
    const limited = results.filter((r) => r.errors?.[0]?.extensions?.code === "RATE_LIMITED");
    const passed = results.filter((r) => !r.errors).length;
    assert.ok(passed <= 5 * windows, `${passed} calls passed in ${windows} one-second windows`);
    assert.equal(passed + limited.length, 12);
    assert.ok(limited.length >= 1, "the burst was limited");
    assert.equal(limited[0]!.status, 429);
    assert.ok(limited[0]!.errors![0]!.extensions!.retryAfterMs > 0);
    // Another key of the same app has its own budget.
    const other = stack.createKeyPair("other");
    assert.equal((await stack.graphql(other, `{ __typename }`)).errors, undefined);
  });

  test("a provider account limit spreads hand-offs over time across workers, delivering every one", async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const input = { externalId: "r", channels: ["EMAIL"], content: { subject: `s${i}`, body: "b" } };
      let res = await stack.graphql(key, SEND, { input });
      // The key's own request limit (5/s) applies too: a well-behaved client waits as told and retries.
      while (res.errors?.[0]?.extensions?.code === "RATE_LIMITED") {
        await new Promise((r) => setTimeout(r, Number(res.errors![0]!.extensions!.retryAfterMs)));
        res = await stack.graphql(key, SEND, { input });
      }
      assert.equal(res.errors, undefined, JSON.stringify(res.errors));
      ids.push(res.data!.sendNotification.notifications[0].id);
    }
    const sent = await stack.eventually(
      () => stack.db.notification.findMany({ where: { id: { in: ids } } }),
      (rows) => rows.every((n) => n.status === "SENT" || n.status === "DELIVERED"),
      20_000,
    );
    const times = sent.map((n) => n.sentAt!.getTime()).sort((a, b) => a - b);
    // 6 jobs at 2 per second need at least two full windows after the first pair.
    assert.ok(times[5]! - times[0]! >= 1500, `hand-offs spanned only ${times[5]! - times[0]!} ms`);
    assert.equal(stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).length, 6);
  });
});
