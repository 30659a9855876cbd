import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createSandboxSubscription } from "@notify/sdk-redirect";
import type { RecordedRequest } from "@notify/sandbox";
import { ok, rejected } from "./harness/gql.js";
import { TERMINAL, type Settled } from "./harness/push.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;
const PUBLIC_KEY = `query { webPushPublicKey }`;

const SMS_MAX_SEGMENTS = 3;
type PushChannel = "IOS_PUSH" | "ANDROID_PUSH" | "WEB_PUSH";

/**
 * Oversize content is refused when it is sent, with a clear error and nothing written, never by
 * the provider later. The API measures each payload the way its provider will: a payload exactly
 * at the limit goes through the simulator (which counts as the provider does), one byte more is
 * refused by the API.
 */
describe("payload limits at send time: push 4 KB as each provider counts it, SMS length in segments (SMS_MAX_SEGMENTS)", () => {
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    stack = await Stack.start({ env: { SMS_MAX_SEGMENTS: String(SMS_MAX_SEGMENTS) } });
    key = stack.createKeyPair();
  });
  after(() => stack?.stop());

  const sendRaw = (externalId: string, channel: string, content: Record<string, unknown>, data?: Record<string, unknown>) =>
    stack.graphql(key, SEND, { input: { externalId, channels: [channel], content, data } });

  function settle(id: string): Promise<Settled> {
    return stack.eventually(
      () => stack.db.notification.findUniqueOrThrow({ where: { id }, include: { attempts: true, events: { orderBy: { occurredAt: "asc" } } } }),
      (n) => (TERMINAL as readonly string[]).includes(n.status),
    );
  }

  /** Expects the send to be refused as too large, writing nothing; returns the size the API reported. */
  async function refusedSize(externalId: string, channel: string, content: Record<string, unknown>, data?: Record<string, unknown>): Promise<number> {
    const before = await stack.db.notification.count();
    const { message } = rejected(await sendRaw(externalId, channel, content, data), { code: "BAD_USER_INPUT", reason: "PAYLOAD_TOO_LARGE" });
    assert.equal(await stack.db.notification.count(), before, "a refused send writes nothing");
    return Number(/would be (\d+) bytes/.exec(message)?.[1]);
  }

  async function register(externalId: string, platform: "IOS" | "ANDROID" | "WEB"): Promise<{ target: string }> {
    ok(await stack.graphql(key, UPSERT, { input: { externalId } }));
    if (platform === "WEB") {
      const vapid = ok(await stack.graphql(key, PUBLIC_KEY)).webPushPublicKey;
      const sub = await createSandboxSubscription({ url: stack.sandbox.urls.webpush, ca: stack.sandbox.credentials.tls.caCertPem }, vapid);
      ok(await stack.graphql(key, REGISTER, { input: { externalId, platform, token: sub.endpoint, webPushKeys: sub.keys } }));
      return { target: sub.endpoint };
    }
    const token = platform === "IOS" ? randomBytes(32).toString("hex") : `${randomBytes(8).toString("base64url")}:APA91b${randomBytes(64).toString("base64url")}`;
    ok(await stack.graphql(key, REGISTER, { input: { externalId, platform, token } }));
    return { target: token };
  }

  /** The bytes the simulator counted against its limit, from what it recorded. */
  const countedBySimulator: Record<PushChannel, (r: RecordedRequest) => number> = {
    // APNs: the whole JSON body.
    IOS_PUSH: (r) => Buffer.byteLength(JSON.stringify(r.body)),
    // FCM: the message less its token.
    ANDROID_PUSH: (r) => {
      const { token: _token, ...payload } = (r.body as { message: Record<string, unknown> }).message;
      return Buffer.byteLength(JSON.stringify(payload));
    },
    // Web Push: the encrypted body on the wire.
    WEB_PUSH: (r) => Number(r.headers["content-length"]),
  };
  const providerOf: Record<PushChannel, "apns" | "fcm" | "webpush"> = { IOS_PUSH: "apns", ANDROID_PUSH: "fcm", WEB_PUSH: "webpush" };
  const platformOf: Record<PushChannel, "IOS" | "ANDROID" | "WEB"> = { IOS_PUSH: "IOS", ANDROID_PUSH: "ANDROID", WEB_PUSH: "WEB" };

  for (const channel of ["IOS_PUSH", "ANDROID_PUSH", "WEB_PUSH"] as const) {
    test(`${channel}: a payload exactly at the provider's limit is delivered; one byte more is refused at send time`, async () => {
      const externalId = `limit-${channel}`;
      const { target } = await register(externalId, platformOf[channel]);
      const content = { title: "Big one", body: "Ünïcödé counts in bytes: 4 KB is bytes, not characters ✓", url: "https://example.com/x", badge: 1, sound: "default" };
      const limit = channel === "WEB_PUSH" ? 4096 - 103 : 4096;

      // A data value far too big tells us, through the error, how many bytes the rest takes.
      const big = 5000;
      const overBy = (await refusedSize(externalId, channel, content, { blob: "x".repeat(big), n: 42 })) - limit;
      assert.ok(overBy > 0);
      const fits = big - overBy;

      const id = ok(await sendRaw(externalId, channel, content, { blob: "x".repeat(fits), n: 42 })).sendNotification.notifications[0].id;
      const n = await settle(id);
      assert.equal(n.status, "SENT", `${channel} at the limit: ${n.lastError}`);
      const [request] = stack.sandbox.recorder.list({ provider: providerOf[channel], target });
      assert.equal(request!.accepted, true);
      const counted = countedBySimulator[channel](request!);
      assert.equal(counted, channel === "WEB_PUSH" ? 4096 : limit, "the provider counted exactly its limit: our measure is its measure");

      assert.equal(await refusedSize(externalId, channel, content, { blob: "x".repeat(fits + 1), n: 42 }), limit + 1);
    });
  }

  test("a multi-byte and escaped payload is measured as sent: non-string data values travel as JSON strings with escaped quotes", async () => {
    await register("limit-escapes", "ANDROID");
    // 800 empty strings: 3.2 KB as a JSON array, 4.8 KB once it is one escaped string value in FCM data.
    const list = Array.from({ length: 800 }, () => "");
    const size = await refusedSize("limit-escapes", "ANDROID_PUSH", { title: "t" }, { list });
    assert.ok(size > 4096 && size > Buffer.byteLength(JSON.stringify({ list })) + 1000, `measured ${size}`);
  });

  test(`SMS: at most ${SMS_MAX_SEGMENTS} segments (SMS_MAX_SEGMENTS), counted as GSM-7 153 or UCS-2 67 per part`, async () => {
    const phone = "+14155550199";
    ok(await stack.graphql(key, UPSERT, { input: { externalId: "limit-sms", phone } }));

    const gsm = "a".repeat(153 * SMS_MAX_SEGMENTS);
    const ucs = "가".repeat(67 * SMS_MAX_SEGMENTS);
    for (const [body, encoding] of [[gsm, "GSM-7"], [ucs, "UCS-2"]] as const) {
      const id = ok(await sendRaw("limit-sms", "SMS", { body })).sendNotification.notifications[0].id;
      const n = await settle(id);
      assert.ok(["SENT", "DELIVERED"].includes(n.status), `${encoding}: ${n.lastError}`);
      const detail = n.events.find((e) => e.type === "SENT")!.detail as { attempts: { segments: number; encoding: string }[] };
      assert.deepEqual([detail.attempts[0]!.encoding, detail.attempts[0]!.segments], [encoding, SMS_MAX_SEGMENTS]);
    }
    assert.deepEqual(
      stack.sandbox.recorder.list({ provider: "twilio", target: phone }).map((r) => (r.response.body as { num_segments: string }).num_segments),
      [String(SMS_MAX_SEGMENTS), String(SMS_MAX_SEGMENTS)],
      "Twilio bills the same count",
    );

    for (const [body, encoding] of [[`${gsm}a`, "GSM-7"], [`${ucs}가`, "UCS-2"], ["€".repeat(77 * SMS_MAX_SEGMENTS - 1), "GSM-7"]] as const) {
      const before = await stack.db.notification.count();
      const { message, extensions } = rejected(await sendRaw("limit-sms", "SMS", { body }), { code: "BAD_USER_INPUT", reason: "PAYLOAD_TOO_LARGE", field: "content.body" });
      assert.match(message, new RegExp(`${SMS_MAX_SEGMENTS + 1} ${encoding} segments; the limit is ${SMS_MAX_SEGMENTS}`));
      assert.equal(extensions.field, "content.body");
      assert.equal(await stack.db.notification.count(), before, "a refused send writes nothing");
    }
  });
});
