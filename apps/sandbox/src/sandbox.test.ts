import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { Errors, ServerClient } from "postmark";
import twilio from "twilio";
import { startSandbox, type Sandbox } from "./sandbox.js";
import { startWebhookReceiver, testCredentials, type WebhookReceiver } from "./testing.js";

const CONTROL_TOKEN = "sandbox-test-control-token-0123456789";

async function api(sandbox: Sandbox, method: string, path: string, body?: unknown, token: string | null = CONTROL_TOKEN) {
  const res = await fetch(`${sandbox.urls.control}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("sandbox control API", () => {
  let sandbox: Sandbox;
  let hooks: WebhookReceiver;
  let postmark: ServerClient;

  before(async () => {
    hooks = await startWebhookReceiver();
    sandbox = await startSandbox({ credentials: await testCredentials(), controlToken: CONTROL_TOKEN, postmarkWebhookUrl: `${hooks.url}/postmark` });
    postmark = new ServerClient(sandbox.credentials.postmark.serverToken, { requestHost: new URL(sandbox.urls.postmark).host, useHttps: false });
  });
  after(async () => {
    await sandbox.close();
    await hooks.close();
  });
  beforeEach(async () => {
    await api(sandbox, "DELETE", "/messages");
    await api(sandbox, "DELETE", "/faults");
  });

  const send = (to: string) => postmark.sendEmail({ From: "noreply@notify.test", To: to, Subject: "s", TextBody: "t" });

  test("health lists every simulator's URL", async () => {
    const { status, body } = await api(sandbox, "GET", "/health");
    assert.equal(status, 200);
    assert.equal(body.status, "ok");
    assert.equal(body.simulators.postmark, sandbox.urls.postmark);
    assert.equal(body.simulators.twilio, sandbox.urls.twilio);
    assert.match(sandbox.urls.control, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test("messages can be listed by provider, target and accepted, and cleared", async () => {
    await send("one@example.com");
    await send("two@example.com");
    const sms = twilio(sandbox.credentials.twilio.accountSid, sandbox.credentials.twilio.authToken, {
      httpClient: new (class extends twilio.RequestClient {
        override request<T>(o: Parameters<twilio.RequestClient["request"]>[0] & { data?: T }) {
          return super.request<T>({ ...o, uri: sandbox.urls.twilio + new URL(o.uri).pathname });
        }
      })(),
    });
    await sms.messages.create({ to: "+14155550100", from: sandbox.credentials.twilio.fromNumber, body: "x" });

    assert.equal((await api(sandbox, "GET", "/messages")).body.messages.length, 3);
    assert.equal((await api(sandbox, "GET", "/messages?provider=twilio")).body.messages.length, 1);
    const two = (await api(sandbox, "GET", "/messages?provider=postmark&target=two@example.com&accepted=true")).body.messages;
    assert.equal(two.length, 1);
    assert.equal(two[0].target, "two@example.com");
    assert.equal(two[0].response.status, 200);
    assert.equal((await api(sandbox, "GET", "/messages?accepted=false")).body.messages.length, 0);
    assert.equal((await api(sandbox, "GET", "/messages?provider=carrier-pigeon")).status, 400);

    await api(sandbox, "DELETE", "/messages?provider=postmark");
    assert.deepEqual(
      (await api(sandbox, "GET", "/messages")).body.messages.map((m: { provider: string }) => m.provider),
      ["twilio"],
    );
  });

  test("fault rules are created, applied, listed and removed", async () => {
    assert.equal((await api(sandbox, "POST", "/faults", { provider: "postmark", kind: "explode" })).status, 400);
    assert.equal((await api(sandbox, "POST", "/faults", { provider: "postmark", kind: "rate_limit", remaining: 0 })).status, 400);

    const created = await api(sandbox, "POST", "/faults", { provider: "postmark", kind: "server_error", target: "x@example.com", remaining: 2 });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(created.body, { id: created.body.id, provider: "postmark", kind: "server_error", target: "x@example.com", remaining: 2 });

    await assert.rejects(send("x@example.com"), (err) => err instanceof Errors.InternalServerError);
    assert.equal((await api(sandbox, "GET", "/faults")).body.faults[0].remaining, 1);
    assert.equal((await send("y@example.com")).ErrorCode, 0);

    assert.equal((await api(sandbox, "DELETE", `/faults/${created.body.id}`)).status, 200);
    assert.equal((await api(sandbox, "DELETE", `/faults/${created.body.id}`)).status, 404);
    assert.equal((await send("x@example.com")).ErrorCode, 0);

    await api(sandbox, "POST", "/faults", { provider: "postmark", kind: "auth" });
    await api(sandbox, "POST", "/faults", { provider: "twilio", kind: "auth" });
    await api(sandbox, "DELETE", "/faults?provider=postmark");
    assert.deepEqual(
      (await api(sandbox, "GET", "/faults")).body.faults.map((f: { provider: string }) => f.provider),
      ["twilio"],
    );
  });

  test("POST /postmark/webhooks triggers a webhook for a sent message", async () => {
    const sent = await send("bounce@example.com");
    const about = (r: { body: string }) => r.body.includes(sent.MessageID);
    await hooks.waitFor(1, about);
    const out = await api(sandbox, "POST", "/postmark/webhooks", { messageId: sent.MessageID, recordType: "Bounce", bounceType: "SoftBounce" });
    assert.equal(out.status, 200);
    assert.equal(out.body.receiverStatus, 200);
    const [, hook] = await hooks.waitFor(2, about);
    assert.equal(hook.path, "/postmark");
    const payload = JSON.parse(hook.body);
    assert.equal(payload.RecordType, "Bounce");
    assert.equal(payload.Type, "SoftBounce");
    assert.equal(payload.MessageID, sent.MessageID);
    // a soft bounce leaves the address active
    assert.equal((await send("bounce@example.com")).ErrorCode, 0);
    assert.equal((await api(sandbox, "POST", "/postmark/webhooks", { messageId: "nope" })).status, 404);
  });

  test("unknown routes and bad JSON are answered in JSON", async () => {
    assert.equal((await api(sandbox, "GET", "/nope")).status, 404);
    assert.equal((await api(sandbox, "GET", "/postmark/nope")).status, 404);
    const res = await fetch(`${sandbox.urls.control}/faults`, { method: "POST", body: "{", headers: { "Content-Type": "application/json", authorization: `Bearer ${CONTROL_TOKEN}` } });
    assert.equal(res.status, 400);
  });

  test("the control API needs its token (401 without, or with a wrong one), sends no CORS headers, and /messages shows no credentials", async () => {
    await send("secret@example.com");
    const sms = twilio(sandbox.credentials.twilio.accountSid, sandbox.credentials.twilio.authToken, {
      httpClient: new (class extends twilio.RequestClient {
        override request<T>(o: Parameters<twilio.RequestClient["request"]>[0] & { data?: T }) {
          return super.request<T>({ ...o, uri: sandbox.urls.twilio + new URL(o.uri).pathname });
        }
      })(),
    });
    await sms.messages.create({ to: "+14155550101", from: sandbox.credentials.twilio.fromNumber, body: "x" });

    for (const [method, path] of [["GET", "/messages"], ["POST", "/faults"], ["DELETE", "/messages"], ["POST", "/postmark/webhooks"], ["GET", "/faults"]] as const) {
      assert.equal((await api(sandbox, method, path, method === "POST" ? {} : undefined, null)).status, 401, `${method} ${path} without a token`);
      assert.equal((await api(sandbox, method, path, method === "POST" ? {} : undefined, "wrong-token-wrong-token-wrong")).status, 401, `${method} ${path} with a wrong token`);
    }
    const preflight = await fetch(`${sandbox.urls.control}/messages`, { method: "OPTIONS", headers: { origin: "http://evil.example", "access-control-request-method": "GET" } });
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
    const open = await fetch(`${sandbox.urls.control}/health`, { headers: { origin: "http://evil.example" } });
    assert.equal(open.status, 200);
    assert.equal(open.headers.get("access-control-allow-origin"), null);

    const listed = await api(sandbox, "GET", "/messages");
    assert.equal(listed.status, 200);
    const text = JSON.stringify(listed.body);
    const { accountSid, authToken } = sandbox.credentials.twilio;
    const basic = Buffer.from(`${accountSid}:${authToken}`).toString("base64");
    for (const secret of [authToken, basic, sandbox.credentials.postmark.serverToken]) assert.ok(!text.includes(secret), "a credential is visible in /messages");
    const twilioReq = (listed.body.messages as { provider: string; headers: Record<string, string> }[]).find((m) => m.provider === "twilio")!;
    assert.equal(twilioReq.headers.authorization, "Basic [redacted]");
    // The in-process recorder (tests that check what providers received) still has the original.
    assert.ok(sandbox.recorder.list({ provider: "twilio" }).some((m) => m.headers.authorization === `Basic ${basic}`));
  });
});

describe("startSandbox", () => {
  test("fails cleanly when a port is taken, leaving nothing listening", async () => {
    const credentials = await testCredentials();
    const first = await startSandbox({ credentials, controlToken: CONTROL_TOKEN });
    try {
      const taken = Number(new URL(first.urls.twilio).port);
      await assert.rejects(startSandbox({ credentials, controlToken: CONTROL_TOKEN, ports: { twilio: taken } }), /EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
