import assert from "node:assert/strict";
import { createECDH, createHmac, randomBytes } from "node:crypto";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { twilioSignature } from "@notify/sandbox";
import { createSandboxSubscription } from "@notify/sdk-redirect";
import { runUntilExit } from "./harness/processes.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id state } }`;
const ISSUE = `mutation ($externalId: String!) { issueRecipientToken(externalId: $externalId) { token } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;
const PUBLIC_KEY = `{ webPushPublicKey }`;
// A real P-256 public key, so web-push gets as far as connecting.
const KEYS = { p256dh: createECDH("prime256v1").generateKeys().toString("base64url"), auth: randomBytes(16).toString("base64url") };

/** A TCP listener standing in for an internal service: it counts who connects. */
async function internalService(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections, close: () => new Promise((r) => server.close(() => r())) };
}

/** Runs an entry point until it exits and returns its code and output. */

describe("issue 9: SSRF, device takeover, forged unsubscribe links, Postmark metadata, sandbox control API", () => {
  let stack: Stack;
  let a: KeyPair;
  let b: KeyPair;

  before(async () => {
    stack = await Stack.start();
    a = stack.createKeyPair("tenant-a");
    b = stack.createKeyPair("tenant-b");
  });
  after(() => stack?.stop());

  async function upsert(key: KeyPair, input: Record<string, unknown>): Promise<string> {
    const r = await stack.graphql(key, UPSERT, { input });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.upsertRecipient.id as string;
  }

  // ─── Hole 3: SSRF through Web Push endpoints ───────────────────────────────

  test("a Web Push endpoint on 127.0.0.1 (or any non-push-service host) is BAD_USER_INPUT ENDPOINT_NOT_ALLOWED, with the app key and with a recipient token; nothing is stored or connected to", async () => {
    const internal = await internalService();
    try {
      await upsert(a, { externalId: "ssrf" });
      const token = (await stack.graphql(a, ISSUE, { externalId: "ssrf" })).data!.issueRecipientToken.token as string;
      const asRecipient = (input: Record<string, unknown>) => stack.graphql({ token }, REGISTER, { input });
      const endpoints = [
        `https://127.0.0.1:${internal.port}/push`,
        `https://localhost:${internal.port}/push`,
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/push",
        "https://push.attacker.example/x",
        `https://fcm.googleapis.com:${internal.port}/fcm/send/x`,
      ];
      for (const endpoint of endpoints) {
        const input = { externalId: "ssrf", platform: "WEB", token: endpoint, webPushKeys: KEYS };
        for (const [who, res] of [["app key", await stack.graphql(a, REGISTER, { input })], ["recipient token", await asRecipient(input)]] as const) {
          const ext = res.errors?.[0]?.extensions;
          assert.equal(ext?.code, "BAD_USER_INPUT", `${who} ${endpoint}: ${JSON.stringify(res.errors)}`);
          assert.equal(ext?.reason, "ENDPOINT_NOT_ALLOWED", `${who} ${endpoint}`);
        }
      }
      assert.equal(await stack.db.device.count({ where: { platform: "WEB", recipient: { externalId: "ssrf" } } }), 0);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(internal.connections(), 0, "the internal service saw a connection");
    } finally {
      await internal.close();
    }
  });

  test("a device row that points at a private address anyway (stored before the rule) is refused at connect time: no connection, no socket error code in the attempt", async () => {
    const internal = await internalService();
    try {
      const recipientId = await upsert(a, { externalId: "ssrf-stored" });
      // Written directly, as a row from before this check (or a DNS name rebound since) would be.
      await stack.db.device.create({ data: { appId: a.appId, recipientId, platform: "WEB", token: `https://127.0.0.1:${internal.port}/push/x`, webPushKeys: KEYS } });
      const sent = await stack.graphql(a, SEND, { input: { externalId: "ssrf-stored", channels: ["WEB_PUSH"], content: { title: "t", body: "b" } } });
      assert.equal(sent.errors, undefined, JSON.stringify(sent.errors));
      const id = sent.data!.sendNotification.notifications[0].id as string;
      const n = await stack.eventually(
        () => stack.db.notification.findUniqueOrThrow({ where: { id }, include: { attempts: true } }),
        (n) => n.attempts.some((x) => x.status !== "SENDING"),
      );
      const text = JSON.stringify(n);
      assert.doesNotMatch(text, /ECONN|EHOSTUNREACH|ETIMEDOUT|socket hang up/);
      assert.equal(n.attempts[0]!.errorCode, "HOST_NOT_ALLOWED");
      assert.equal(internal.connections(), 0);
    } finally {
      await internal.close();
    }
  });

  test("production mode: the sandbox simulator's endpoint is refused as a destination too", async () => {
    const vapid = (await stack.graphql(a, PUBLIC_KEY)).data!.webPushPublicKey as string;
    const subscription = await createSandboxSubscription({ url: stack.sandbox.urls.webpush, ca: stack.sandbox.credentials.tls.caCertPem }, vapid);
    const input = { externalId: "sandbox-endpoint", platform: "WEB", token: subscription.endpoint, webPushKeys: subscription.keys };
    // Sandbox mode (this stack): accepted.
    await upsert(a, { externalId: "sandbox-endpoint" });
    assert.equal((await stack.graphql(a, REGISTER, { input })).errors, undefined);

    const prod = await Stack.start({ workers: 0, env: { NOTIFY_MODE: "production", SANDBOX_WEBPUSH_PORT: new URL(stack.sandbox.urls.webpush).port } });
    try {
      const key = prod.createKeyPair("prod");
      assert.equal((await prod.graphql(key, UPSERT, { input: { externalId: "sandbox-endpoint" } })).errors, undefined);
      const res = await prod.graphql(key, REGISTER, { input });
      assert.equal(res.errors?.[0]?.extensions?.reason, "ENDPOINT_NOT_ALLOWED", JSON.stringify(res.errors));
    } finally {
      await prod.stop();
    }
  });

  // ─── Hole 4: cross-tenant device takeover ──────────────────────────────────

  test("app B registering app A's iOS token does not take A's device: A's next push is still delivered to it", async () => {
    const token = randomBytes(32).toString("hex");
    await upsert(a, { externalId: "ios-a" });
    await upsert(b, { externalId: "ios-b" });
    const regA = await stack.graphql(a, REGISTER, { input: { externalId: "ios-a", platform: "IOS", token } });
    assert.equal(regA.errors, undefined, JSON.stringify(regA.errors));
    const regB = await stack.graphql(b, REGISTER, { input: { externalId: "ios-b", platform: "IOS", token } });
    assert.equal(regB.errors, undefined, JSON.stringify(regB.errors));
    assert.notEqual(regB.data!.registerDevice.id, regA.data!.registerDevice.id, "B got A's device row");

    const before = stack.sandbox.recorder.list({ provider: "apns", target: token, accepted: true }).length;
    const sent = await stack.graphql(a, SEND, { input: { externalId: "ios-a", channels: ["IOS_PUSH"], content: { title: "For A", body: "still yours" } } });
    assert.equal(sent.errors, undefined, JSON.stringify(sent.errors));
    const id = sent.data!.sendNotification.notifications[0].id as string;
    const n = await stack.eventually(() => stack.db.notification.findUniqueOrThrow({ where: { id } }), (n) => !["PENDING", "QUEUED", "SENDING"].includes(n.status));
    assert.equal(n.status, "SENT", `${n.status} ${n.statusReason}`);
    assert.equal(stack.sandbox.recorder.list({ provider: "apns", target: token, accepted: true }).length, before + 1);
    const devA = await stack.db.device.findUniqueOrThrow({ where: { id: regA.data!.registerDevice.id } });
    assert.equal(devA.appId, a.appId);
    assert.equal(devA.state, "ACTIVE");
  });

  // ─── Hole 7: forgeable unsubscribe links ───────────────────────────────────

  function sign(payload: Record<string, unknown>, secret: string): string {
    const signed = `u1.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
    return `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
  }
  const oneClick = (token: string) =>
    fetch(`${stack.apiUrl}/webhooks/unsubscribe/${token}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
  const expiry = () => Math.floor(Date.now() / 1000) + 3600;

  test("a link signed with the old public constant is refused; c=FOO is 400, not 500; a link for another app's recipient is 404; nothing changes", async () => {
    const recipientId = await upsert(a, { externalId: "unsub", email: "unsub@example.com" });
    const OLD_PUBLIC_SECRET = "notify-dev-unsubscribe-secret-not-for-production";
    const forged = await oneClick(sign({ r: recipientId, k: "*", c: "EMAIL", e: expiry() }, OLD_PUBLIC_SECRET));
    assert.equal(forged.status, 400);
    const secret = stack.processEnv.UNSUBSCRIBE_SECRET!;
    for (const bad of [{ c: "FOO" }, { c: "ALL" }, { r: "../../etc" }, { e: "never" }]) {
      const token = sign({ r: recipientId, k: "*", c: "EMAIL", e: expiry(), ...bad }, secret);
      assert.equal((await oneClick(token)).status, 400, JSON.stringify(bad));
      assert.equal((await fetch(`${stack.apiUrl}/webhooks/unsubscribe/${token}`)).status, 400, `GET ${JSON.stringify(bad)}`);
    }
    const otherApp = await oneClick(sign({ a: b.appId, r: recipientId, k: "*", c: "EMAIL", e: expiry() }, secret));
    assert.equal(otherApp.status, 404);
    assert.equal(await stack.db.preference.count({ where: { recipientId } }), 0);
    // The real secret, the right app: works.
    assert.equal((await oneClick(sign({ a: a.appId, r: recipientId, k: "*", c: "EMAIL", e: expiry() }, secret))).status, 200);
    assert.equal(await stack.db.preference.count({ where: { recipientId } }), 1);
  });

  test("production mode without UNSUBSCRIBE_SECRET: the API and the workers refuse to start, naming the variable", async () => {
    const { UNSUBSCRIBE_SECRET: _omitted, ...rest } = stack.processEnv;
    const env = { ...rest, NOTIFY_MODE: "production", API_PORT: "0", WORKER_HEALTH_PORT: "0" };
    for (const [name, script] of [["api-prod", "apps/api/dist/main.js"], ["workers-prod", "apps/workers/dist/main.js"]] as const) {
      const { code, output } = await runUntilExit(name, script, env);
      assert.notEqual(code, 0, `${name} started: ${output}`);
      assert.notEqual(code, null, `${name} did not exit`);
      assert.match(output, /UNSUBSCRIBE_SECRET is not set/, name);
    }
  });

  // ─── Hole 10: Postmark webhooks trusted Metadata.notificationId ────────────

  test("a Postmark Bounce naming an SMS notification in its Metadata changes nothing (the MessageID decides, and only for EMAIL)", async () => {
    const recipientId = await upsert(a, { externalId: "pm-victim", email: "victim@example.com", phone: "+14155550177" });
    const sid = `SM${randomBytes(16).toString("hex")}`;
    const sms = await stack.db.notification.create({
      data: {
        appId: a.appId,
        recipientId,
        channel: "SMS",
        content: { body: "code 1" },
        status: "SENT",
        sentAt: new Date(),
        attemptCount: 1,
        attempts: { create: { attemptNumber: 1, provider: "twilio", target: "+14155550177", status: "SUCCEEDED", providerMessageId: sid, finishedAt: new Date() } },
      },
      include: { attempts: true },
    });
    const { webhookUsername, webhookPassword } = stack.sandbox.credentials.postmark;
    const post = (body: Record<string, unknown>) =>
      fetch(`${stack.apiUrl}/webhooks/postmark`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${webhookUsername}:${webhookPassword}`).toString("base64")}` },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const bounce = (messageId: string) => ({
      RecordType: "Bounce",
      MessageID: messageId,
      Type: "HardBounce",
      Inactive: true,
      Email: "victim@example.com",
      Description: "forged",
      Metadata: { notificationId: sms.id, attemptId: sms.attempts[0]!.id },
    });
    // An unknown MessageID, and the SMS's own Twilio SID as MessageID: neither is an email of ours.
    for (const messageId of [randomBytes(16).toString("hex"), sid]) {
      const res = await post(bounce(messageId));
      assert.equal(res.status, 200);
      assert.equal(res.body.result, "unknown-message", JSON.stringify(res.body));
    }
    const after = await stack.db.notification.findUniqueOrThrow({ where: { id: sms.id } });
    assert.equal(after.status, "SENT");
    assert.equal(await stack.db.deliveryEvent.count({ where: { notificationId: sms.id } }), 0);
    const r = await stack.db.recipient.findUniqueOrThrow({ where: { id: recipientId } });
    assert.equal(r.emailInvalidAt, null, "the victim's email was disabled");
    assert.equal(r.phoneInvalidAt, null);
  });

  // ─── Hole 11: the sandbox control API leaked credentials ───────────────────

  test("sandbox control API: /messages without the token is 401; with it, no credentials are shown, so no Twilio callback can be forged from them", async () => {
    const unauth = await fetch(`${stack.sandbox.urls.control}/messages`);
    assert.equal(unauth.status, 401);
    assert.equal(unauth.headers.get("access-control-allow-origin"), null);

    // An SMS through the real path, so the workers' Twilio request (Basic auth) is recorded.
    await upsert(a, { externalId: "sms-leak", phone: "+14155550188" });
    const sent = await stack.graphql(a, SEND, { input: { externalId: "sms-leak", channels: ["SMS"], content: { body: "hi" } } });
    assert.equal(sent.errors, undefined, JSON.stringify(sent.errors));
    const id = sent.data!.sendNotification.notifications[0].id as string;
    const n = await stack.eventually(() => stack.db.notification.findUniqueOrThrow({ where: { id }, include: { attempts: true } }), (n) => n.attempts.some((x) => x.providerMessageId));

    const res = await stack.sandboxControl("/messages?provider=twilio");
    assert.equal(res.status, 200);
    const text = await res.text();
    const { accountSid, authToken } = stack.sandbox.credentials.twilio;
    assert.ok(!text.includes(authToken), "the Twilio auth token is visible");
    assert.ok(!text.includes(Buffer.from(`${accountSid}:${authToken}`).toString("base64")), "the Basic credentials are visible");
    const messages = (JSON.parse(text) as { messages: { headers: Record<string, string> }[] }).messages;
    assert.ok(messages.length > 0);
    // What an attacker reads is all they can sign with: the callback is refused.
    const shown = messages.at(-1)!.headers.authorization ?? "";
    assert.equal(shown, "Basic [redacted]");
    const params = { AccountSid: accountSid, MessageSid: n.attempts[0]!.providerMessageId!, MessageStatus: "undelivered", ErrorCode: "30005", To: "+14155550188" };
    const url = `${stack.apiUrl}/webhooks/twilio/status`;
    for (const guess of [shown.replace(/^Basic /, ""), "[redacted]"]) {
      const forged = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(guess, url, params) },
        body: new URLSearchParams(params).toString(),
      });
      assert.equal(forged.status, 403);
    }
    const r = await stack.db.recipient.findFirstOrThrow({ where: { appId: a.appId, externalId: "sms-leak" } });
    assert.equal(r.phoneInvalidAt, null);
  });
});
