import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { Redis } from "ioredis";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;
const DEVICE = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }`;

describe("bad input gets a typed GraphQL error and changes nothing", () => {
  let stack: Stack;
  let key: KeyPair;
  let redis: Redis;

  /** Rows and jobs that a rejected call must not have created. */
  async function footprint() {
    const [notifications, events, attempts, devices, idempotency] = await Promise.all([
      stack.db.notification.count(),
      stack.db.deliveryEvent.count(),
      stack.db.deliveryAttempt.count(),
      stack.db.device.count(),
      stack.db.idempotencyKey.count(),
    ]);
    // Queue keys only (notify:{queue}:…): the API key's request-rate counters ({notify}:api-rate…) are not writes of the call.
    const jobs = (await redis.keys("notify:*")).filter((k) => !k.endsWith(":meta") && !k.endsWith(":stalled-check")).length;
    return { notifications, events, attempts, devices, idempotency, jobs };
  }

  let baseline: Awaited<ReturnType<typeof footprint>>;

  before(async () => {
    stack = await Stack.start({ workers: 0 });
    key = stack.createKeyPair();
    redis = new Redis(stack["env"].REDIS_URL);
    const r = await stack.graphql(key, UPSERT, { input: { externalId: "no-contact" } });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    await stack.graphql(key, UPSERT, { input: { externalId: "has-email", email: "grace@example.com" } });
  });
  beforeEach(async () => {
    baseline = await footprint();
  });
  after(async () => {
    redis?.disconnect();
    await stack?.stop();
  });

  async function expectRejected(
    credentials: Pick<KeyPair, "appKey" | "appSecret"> | null,
    query: string,
    input: Record<string, unknown>,
    expected: { code: string; reason?: string; field?: string },
  ) {
    const res = await stack.graphql(credentials, query, { input });
    assert.ok(res.errors?.length, `expected an error, got ${JSON.stringify(res.data)}`);
    const ext = res.errors[0]!.extensions ?? {};
    assert.equal(ext.code, expected.code, JSON.stringify(res.errors));
    if (expected.reason) assert.equal(ext.reason, expected.reason, JSON.stringify(res.errors));
    if (expected.field) assert.equal(ext.field, expected.field, JSON.stringify(res.errors));
    assert.ok(!res.data?.sendNotification, "no result alongside the error");
    assert.deepEqual(await footprint(), baseline, "nothing was written to Postgres or Redis");
    return res;
  }

  const email = { subject: "Hi", body: "Hello" };

  test("no credentials → UNAUTHENTICATED (HTTP 401)", async () => {
    const res = await expectRejected(null, SEND, { externalId: "has-email", channels: ["EMAIL"], content: email }, { code: "UNAUTHENTICATED" });
    assert.equal(res.status, 401);
  });

  test("wrong secret → UNAUTHENTICATED", async () => {
    await expectRejected({ appKey: key.appKey, appSecret: "as_wrong" }, SEND, { externalId: "has-email", channels: ["EMAIL"], content: email }, { code: "UNAUTHENTICATED" });
  });

  test("unknown appKey → UNAUTHENTICATED", async () => {
    await expectRejected({ appKey: "ak_nope", appSecret: key.appSecret }, SEND, { externalId: "has-email", channels: ["EMAIL"], content: email }, { code: "UNAUTHENTICATED" });
  });

  test("unknown recipient → NOT_FOUND", async () => {
    await expectRejected(key, SEND, { externalId: "nobody", channels: ["EMAIL"], content: email }, { code: "NOT_FOUND" });
  });

  test("another app's recipient is unknown to this app", async () => {
    const other = stack.createKeyPair("other-app");
    await expectRejected(other, SEND, { externalId: "has-email", channels: ["EMAIL"], content: email }, { code: "NOT_FOUND" });
  });

  test("recipient without an email on the email channel → MISSING_CONTACT", async () => {
    await expectRejected(key, SEND, { externalId: "no-contact", channels: ["EMAIL"], content: email }, { code: "BAD_USER_INPUT", reason: "MISSING_CONTACT", field: "channels" });
  });

  test("one unreachable channel rejects the whole send", async () => {
    await expectRejected(key, SEND, { externalId: "has-email", channels: ["EMAIL", "SMS"], content: email }, { code: "BAD_USER_INPUT", reason: "MISSING_CONTACT" });
  });

  test("malformed email address → BAD_USER_INPUT naming the field", async () => {
    const res = await expectRejected(key, UPSERT, { externalId: "new-user", email: "not-an-email" }, { code: "BAD_USER_INPUT" });
    assert.match(JSON.stringify(res.errors), /email must be a valid email address/);
    assert.equal(await stack.db.recipient.count({ where: { externalId: "new-user" } }), 0);
  });

  test("malformed phone number → BAD_USER_INPUT", async () => {
    await expectRejected(key, UPSERT, { externalId: "new-user", phone: "555-0100" }, { code: "BAD_USER_INPUT" });
  });

  test("invalid timezone → INVALID_TIMEZONE", async () => {
    await expectRejected(key, UPSERT, { externalId: "new-user", timezone: "Mars/Olympus" }, { code: "BAD_USER_INPUT", reason: "INVALID_TIMEZONE", field: "timezone" });
    assert.equal(await stack.db.recipient.count({ where: { externalId: "new-user" } }), 0);
  });

  test("missing content: email without subject → MISSING_CONTENT", async () => {
    await expectRejected(key, SEND, { externalId: "has-email", channels: ["EMAIL"], content: { body: "no subject" } }, { code: "BAD_USER_INPUT", reason: "MISSING_CONTENT", field: "content.subject" });
  });

  test("missing content: email without any body → MISSING_CONTENT", async () => {
    await expectRejected(key, SEND, { externalId: "has-email", channels: ["EMAIL"], content: { subject: "empty" } }, { code: "BAD_USER_INPUT", reason: "MISSING_CONTENT" });
  });

  test("no channels → BAD_USER_INPUT", async () => {
    await expectRejected(key, SEND, { externalId: "has-email", channels: [], content: email }, { code: "BAD_USER_INPUT" });
  });

  test("oversize push payload → PAYLOAD_TOO_LARGE", async () => {
    await expectRejected(key, SEND, { externalId: "has-email", channels: ["IOS_PUSH"], content: { title: "x", body: "y".repeat(5000) } }, { code: "BAD_USER_INPUT", reason: "PAYLOAD_TOO_LARGE" });
  });

  test("malformed APNs token → MALFORMED_TOKEN", async () => {
    await expectRejected(key, DEVICE, { externalId: "has-email", platform: "IOS", token: "not-hex" }, { code: "BAD_USER_INPUT", reason: "MALFORMED_TOKEN", field: "token" });
  });

  test("device for an unknown recipient → NOT_FOUND", async () => {
    await expectRejected(key, DEVICE, { externalId: "nobody", platform: "IOS", token: "a".repeat(64) }, { code: "NOT_FOUND" });
  });
});
