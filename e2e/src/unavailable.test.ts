import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { privateServicesAvailable, startPrivatePostgres, type PrivatePostgres } from "./harness/private-services.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const available = privateServicesAvailable();
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id status } } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Postgres down: a typed, retryable error and nothing accepted", { skip: available.ok ? false : `needs ${available.missing.join(", ")}` }, () => {
  let postgres: PrivatePostgres;
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    postgres = await startPrivatePostgres();
    stack = await Stack.start({ workers: 0, databaseUrl: postgres.url });
    key = stack.createKeyPair();
    const res = await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "u", email: "u@example.com" }) { id } }`);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  });
  after(async () => {
    await stack?.stop();
    await postgres?.stop();
  });

  test("a send while Postgres is down is SERVICE_UNAVAILABLE (retryable); the retry with the same key is accepted once", async () => {
    const input = { externalId: "u", channels: ["EMAIL"], content: { subject: "s", body: "b" }, idempotencyKey: "down-1" };
    const restart = postgres.restart({ mode: "fast", downMs: 4_000 });
    await sleep(1_000);
    const down = await stack.graphql(key, SEND, { input });
    await restart;
    assert.equal(down.errors?.[0]?.extensions?.code, "SERVICE_UNAVAILABLE", JSON.stringify(down.errors));
    assert.equal(down.errors?.[0]?.extensions?.retryable, true);
    assert.match(down.errors![0]!.message, /cannot reach its database/);

    const up = await stack.eventually(
      () => stack.graphql(key, SEND, { input }),
      (res) => !res.errors,
      20_000,
    );
    assert.equal(up.data!.sendNotification.notifications.length, 1);
    assert.equal(await stack.db.notification.count(), 1, "the refused attempt wrote nothing; the retry wrote one");
  });
});
