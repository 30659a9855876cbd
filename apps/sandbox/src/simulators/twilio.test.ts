import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import twilio from "twilio";
import type { FaultKind } from "../core/faults.js";
import type { RunningSimulator, SimulatorContext } from "../core/simulator.js";
import type { SandboxCredentials } from "../credentials.js";
import { startWebhookReceiver, testContext, testCredentials, type WebhookReceiver } from "../testing.js";
import { startTwilioSimulator } from "./twilio.js";

type RequestOptions<TData> = Parameters<twilio.RequestClient["request"]>[0] & { data?: TData };

/** What the workers do in sandbox mode: the official client, with requests sent to the simulator. */
class SimulatorRequestClient extends twilio.RequestClient {
  constructor(private readonly origin: string) {
    super({ timeout: 5000 });
  }
  override request<TData>(opts: RequestOptions<TData>) {
    const u = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.origin}${u.pathname}${u.search}` });
  }
}

interface RestError extends Error {
  status?: number;
  code?: number | string;
  moreInfo?: string;
}

async function rejection(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (err) {
    return err as RestError;
  }
  assert.fail("expected the request to fail");
}

describe("twilio simulator with the official SDK", () => {
  let creds: SandboxCredentials;
  let ctx: SimulatorContext;
  let sim: RunningSimulator;
  let hooks: WebhookReceiver;
  let client: twilio.Twilio;
  let from: string;

  before(async () => {
    creds = await testCredentials();
    from = creds.twilio.fromNumber;
    ctx = testContext();
    hooks = await startWebhookReceiver();
    sim = await startTwilioSimulator(ctx, { host: "127.0.0.1", port: 0, credentials: creds, statusDelayMs: 10 });
    client = twilio(creds.twilio.accountSid, creds.twilio.authToken, { httpClient: new SimulatorRequestClient(sim.url) });
  });
  after(async () => {
    await sim.close();
    await hooks.close();
  });
  beforeEach(() => {
    ctx.recorder.clear();
    ctx.faults.clear();
    hooks.received.length = 0;
  });

  test("messages.create returns a queued Message resource and is recorded", async () => {
    const msg = await client.messages.create({ to: "+14155550100", from, body: "Your code is 123456" });
    assert.match(msg.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(msg.status, "queued");
    assert.equal(msg.accountSid, creds.twilio.accountSid);
    assert.equal(msg.to, "+14155550100");
    assert.equal(msg.from, from);
    assert.equal(msg.direction, "outbound-api");
    assert.equal(msg.numSegments, "1");
    assert.equal(msg.apiVersion, "2010-04-01");
    assert.ok(msg.dateCreated instanceof Date && !Number.isNaN(msg.dateCreated.getTime()));
    const [rec] = ctx.recorder.list({ provider: "twilio" });
    assert.equal(rec.target, "+14155550100");
    assert.equal(rec.accepted, true);
    assert.equal((rec.body as Record<string, string>).Body, "Your code is 123456");
  });

  test("num_segments follows GSM-7 (160/153) and UCS-2 (70/67)", async () => {
    const cases: [string, string][] = [
      ["a".repeat(160), "1"],
      ["a".repeat(161), "2"],
      ["a".repeat(306), "2"],
      ["a".repeat(307), "3"],
      ["€".repeat(80), "1"], // extension chars cost two septets
      ["€".repeat(81), "2"],
      ["é".repeat(160), "1"], // é is in the GSM-7 basic set
      ["ł".repeat(70), "1"],
      ["ł".repeat(71), "2"],
      ["ł".repeat(134), "2"],
      ["ł".repeat(135), "3"],
      ["🙂".repeat(35), "1"], // surrogate pairs: two UTF-16 units each
      ["🙂".repeat(36), "2"],
    ];
    for (const [body, segments] of cases) {
      const msg = await client.messages.create({ to: "+14155550100", from, body });
      assert.equal(msg.numSegments, segments, `${body.length} × ${body[0]}`);
    }
  });

  test("MessagingServiceSid without From is accepted", async () => {
    const msg = await client.messages.create({ to: "+14155550100", messagingServiceSid: creds.twilio.messagingServiceSid, body: "hi" });
    assert.equal(msg.status, "accepted");
    assert.equal(msg.messagingServiceSid, creds.twilio.messagingServiceSid);
    assert.equal(msg.from, null);
  });

  test("wrong credentials → 401, code 20003", async () => {
    const bad = twilio(creds.twilio.accountSid, "0".repeat(32), { httpClient: new SimulatorRequestClient(sim.url) });
    const err = await rejection(bad.messages.create({ to: "+14155550100", from, body: "x" }));
    assert.equal(err.status, 401);
    assert.equal(err.code, 20003);
    assert.equal(err.moreInfo, "https://www.twilio.com/docs/errors/20003");
  });

  test("validation errors have Twilio's codes", async () => {
    const cases: [Record<string, string>, number][] = [
      [{ to: "12345", from, body: "x" }, 21211],
      [{ to: "+15005550009", from, body: "x" }, 21614],
      [{ to: "+14155550100", from, body: "" }, 21602],
      [{ to: "+14155550100", from: "+19995550000", body: "x" }, 21606],
      [{ to: "+14155550100", from, body: "x".repeat(1601) }, 21617],
    ];
    for (const [params, code] of cases) {
      const err = await rejection(client.messages.create(params as never));
      assert.equal(err.status, 400, JSON.stringify(params).slice(0, 80));
      assert.equal(err.code, code);
    }
    const noFrom = await rejection(client.messages.create({ to: "+14155550100", body: "x" } as never));
    assert.equal(noFrom.code, 21603);
  });

  const faultCases: [FaultKind, number, number][] = [
    ["rate_limit", 429, 20429],
    ["server_error", 500, 20500],
    ["unavailable", 503, 20503],
    ["invalid_target", 400, 21614],
    ["bad_request", 400, 21211],
    ["auth", 401, 20003],
  ];
  for (const [kind, status, code] of faultCases) {
    test(`fault ${kind} → HTTP ${status}, code ${code}`, async () => {
      ctx.faults.add({ provider: "twilio", kind, target: "+14155550199", remaining: 1 });
      const err = await rejection(client.messages.create({ to: "+14155550199", from, body: "x" }));
      assert.equal(err.status, status);
      assert.equal(err.code, code);
      assert.equal(ctx.recorder.list({ target: "+14155550199", accepted: false }).length, 1);
      assert.equal((await client.messages.create({ to: "+14155550199", from, body: "x" })).status, "queued");
    });
  }

  test("rate_limit carries Retry-After", async () => {
    ctx.faults.add({ provider: "twilio", kind: "rate_limit", retryAfterSeconds: 3, remaining: 1 });
    const res = await fetch(`${sim.url}/2010-04-01/Accounts/${creds.twilio.accountSid}/Messages.json`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(`${creds.twilio.accountSid}:${creds.twilio.authToken}`).toString("base64")}`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ To: "+14155550100", From: from, Body: "x" }).toString(),
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "3");
    assert.deepEqual(await res.json(), { code: 20429, message: "Too Many Requests", more_info: "https://www.twilio.com/docs/errors/20429", status: 429 });
  });

  test("fault timeout holds the request, then drops the connection", async () => {
    ctx.faults.add({ provider: "twilio", kind: "timeout", delayMs: 100, remaining: 1 });
    const started = Date.now();
    const err = await rejection(client.messages.create({ to: "+14155550100", from, body: "x" }));
    assert.ok(Date.now() - started >= 90);
    assert.equal(err.code, "ECONNRESET");
  });

  test("status callbacks sent → delivered arrive signed so that twilio.validateRequest accepts them", async () => {
    const callbackUrl = `${hooks.url}/webhooks/twilio/status?tenant=t1`;
    const msg = await client.messages.create({ to: "+14155550100", from, body: "hi", statusCallback: callbackUrl });
    const [sent, delivered] = await hooks.waitFor(2, (r) => r.body.includes(msg.sid));
    for (const [hook, status] of [[sent, "sent"], [delivered, "delivered"]] as const) {
      const params = Object.fromEntries(new URLSearchParams(hook.body));
      assert.equal(hook.method, "POST");
      assert.equal(hook.path, "/webhooks/twilio/status?tenant=t1");
      assert.equal(params.MessageSid, msg.sid);
      assert.equal(params.MessageStatus, status);
      assert.equal(params.AccountSid, creds.twilio.accountSid);
      assert.equal(params.To, "+14155550100");
      assert.equal(params.From, from);
      const signature = hook.headers["x-twilio-signature"] as string;
      assert.ok(twilio.validateRequest(creds.twilio.authToken, signature, callbackUrl, params), `${status} signature`);
      assert.ok(!twilio.validateRequest("f".repeat(32), signature, callbackUrl, params));
    }
    const fetched = await client.messages(msg.sid).fetch();
    assert.equal(fetched.status, "delivered");
    assert.ok(fetched.dateSent instanceof Date);
  });

  test("control can report a later delivery failure", async () => {
    const msg = await client.messages.create({ to: "+14155550100", from, body: "hi", statusCallback: `${hooks.url}/status` });
    await hooks.waitFor(2, (r) => r.body.includes(msg.sid));
    const out = await sim.control!({
      method: "POST",
      path: "/status",
      query: new URLSearchParams(),
      body: { messageSid: msg.sid, status: "undelivered", errorCode: 30005 },
    });
    assert.equal(out?.status, 200);
    const [, , failed] = await hooks.waitFor(3, (r) => r.body.includes(msg.sid));
    const params = Object.fromEntries(new URLSearchParams(failed.body));
    assert.equal(params.MessageStatus, "undelivered");
    assert.equal(params.ErrorCode, "30005");
    assert.equal((await client.messages(msg.sid).fetch()).errorCode, 30005);
  });

  test("fetching an unknown message is Twilio's 404 / 20404", async () => {
    const err = await rejection(client.messages(`SM${"0".repeat(32)}`).fetch());
    assert.equal(err.status, 404);
    assert.equal(err.code, 20404);
  });
});
