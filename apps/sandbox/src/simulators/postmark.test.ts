import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { Errors, ServerClient } from "postmark";
import type { FaultKind } from "../core/faults.js";
import type { RunningSimulator, SimulatorContext } from "../core/simulator.js";
import type { SandboxCredentials } from "../credentials.js";
import { startWebhookReceiver, testContext, testCredentials, type ReceivedRequest, type WebhookReceiver } from "../testing.js";
import { startPostmarkSimulator } from "./postmark.js";

const email = (to: string, extra: Record<string, unknown> = {}) => ({
  From: "Notify <noreply@notify.test>",
  To: to,
  Subject: "Hello",
  TextBody: "Hi there",
  ...extra,
});

/** Webhooks about one message: earlier tests' Delivery webhooks may still be arriving. */
const about = (messageId: string) => (r: ReceivedRequest) => (JSON.parse(r.body) as { MessageID?: string }).MessageID === messageId;

async function rejection(p: Promise<unknown>): Promise<Errors.PostmarkError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Errors.PostmarkError, `expected a PostmarkError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the request to fail");
}

describe("postmark simulator with the official SDK", () => {
  let creds: SandboxCredentials;
  let ctx: SimulatorContext;
  let sim: RunningSimulator;
  let hooks: WebhookReceiver;
  let client: ServerClient;

  before(async () => {
    creds = await testCredentials();
    ctx = testContext();
    hooks = await startWebhookReceiver();
    sim = await startPostmarkSimulator(ctx, { host: "127.0.0.1", port: 0, credentials: creds, webhookUrl: hooks.url, deliveryDelayMs: 10 });
    client = new ServerClient(creds.postmark.serverToken, { requestHost: `127.0.0.1:${sim.port}`, useHttps: false, timeout: 5 });
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

  test("sendEmail is accepted, recorded, and followed by a Delivery webhook with basic auth", async () => {
    const res = await client.sendEmail(email("Ann <ann@example.com>", { Tag: "welcome", Metadata: { notificationId: "n1" } }));
    assert.equal(res.ErrorCode, 0);
    assert.equal(res.Message, "OK");
    assert.equal(res.To, "Ann <ann@example.com>");
    assert.match(res.MessageID, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(res.SubmittedAt)));

    const [rec] = ctx.recorder.list({ provider: "postmark" });
    assert.equal(rec.target, "ann@example.com");
    assert.equal(rec.accepted, true);
    assert.equal(rec.path, "/email");

    const [hook] = await hooks.waitFor(1, about(res.MessageID));
    const basic = Buffer.from(`${creds.postmark.webhookUsername}:${creds.postmark.webhookPassword}`).toString("base64");
    assert.equal(hook.headers.authorization, `Basic ${basic}`);
    const payload = JSON.parse(hook.body);
    assert.equal(payload.RecordType, "Delivery");
    assert.equal(payload.MessageID, res.MessageID);
    assert.equal(payload.Recipient, "ann@example.com");
    assert.equal(payload.Tag, "welcome");
    assert.deepEqual(payload.Metadata, { notificationId: "n1" });
    assert.ok(payload.DeliveredAt);
  });

  test("sendEmailBatch answers per message, in order", async () => {
    const res = await client.sendEmailBatch([email("a@example.com"), email("not-an-address"), email("b@example.com", { TextBody: undefined, HtmlBody: "<p>hi</p>" })]);
    assert.equal(res.length, 3);
    assert.equal(res[0].ErrorCode, 0);
    assert.equal(res[0].To, "a@example.com");
    assert.equal(res[1].ErrorCode, 300);
    assert.match(res[1].Message, /Invalid 'To' address/);
    assert.equal(res[2].ErrorCode, 0);
    assert.equal(ctx.recorder.list({ accepted: true }).length, 2);
    assert.equal(ctx.recorder.list({ accepted: false }).length, 1);
  });

  test("a wrong server token is a 401 with ErrorCode 10", async () => {
    const bad = new ServerClient("00000000-0000-0000-0000-000000000000", { requestHost: `127.0.0.1:${sim.port}`, useHttps: false });
    const err = await rejection(bad.sendEmail(email("a@example.com")));
    assert.ok(err instanceof Errors.InvalidAPIKeyError);
    assert.equal(err.statusCode, 401);
    assert.equal(err.code, 10);
  });

  test("invalid messages get Postmark's 422 / ErrorCode 300", async () => {
    for (const [msg, pattern] of [
      [email("a@example.com", { From: "nobody" }), /Invalid 'From' address/],
      [email("a@example.com", { TextBody: undefined }), /TextBody or HtmlBody/],
      [email(""), /Zero recipients/],
    ] as const) {
      const err = await rejection(client.sendEmail(msg as never));
      assert.ok(err instanceof Errors.InvalidEmailRequestError, err.message);
      assert.equal(err.statusCode, 422);
      assert.equal(err.code, 300);
      assert.match(err.message, pattern);
    }
  });

  const faultCases: [FaultKind, number, number, new (...a: never[]) => Errors.PostmarkError][] = [
    ["rate_limit", 429, 429, Errors.RateLimitExceededError],
    ["server_error", 500, 500, Errors.InternalServerError],
    ["unavailable", 503, 503, Errors.ServiceUnavailablerError],
    ["invalid_target", 422, 406, Errors.InactiveRecipientsError],
    ["bad_request", 422, 300, Errors.InvalidEmailRequestError],
    ["auth", 401, 10, Errors.InvalidAPIKeyError],
  ];
  for (const [kind, status, code, type] of faultCases) {
    test(`fault ${kind} → HTTP ${status}, ErrorCode ${code}`, async () => {
      ctx.faults.add({ provider: "postmark", kind, target: "faulty@example.com", remaining: 1 });
      const err = await rejection(client.sendEmail(email("faulty@example.com")));
      assert.ok(err instanceof type, `${kind}: got ${err.constructor.name}`);
      assert.equal(err.statusCode, status);
      assert.equal(err.code, code);
      assert.equal(ctx.recorder.list({ target: "faulty@example.com", accepted: false }).length, 1);
      // used up: the next send to the same address goes through
      assert.equal((await client.sendEmail(email("faulty@example.com"))).ErrorCode, 0);
    });
  }

  test("rate_limit carries Retry-After", async () => {
    ctx.faults.add({ provider: "postmark", kind: "rate_limit", retryAfterSeconds: 7, remaining: 1 });
    const res = await fetch(`${sim.url}/email`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-Postmark-Server-Token": creds.postmark.serverToken },
      body: JSON.stringify(email("a@example.com")),
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "7");
  });

  test("fault timeout holds the request, then drops the connection", async () => {
    ctx.faults.add({ provider: "postmark", kind: "timeout", delayMs: 100, remaining: 1 });
    const started = Date.now();
    const err = await rejection(client.sendEmail(email("slow@example.com")));
    assert.ok(Date.now() - started >= 90);
    assert.equal(err.statusCode, 0);
    assert.equal(ctx.recorder.list({ target: "slow@example.com" })[0].accepted, false);
  });

  test("a per-message fault in a batch fails only that message", async () => {
    ctx.faults.add({ provider: "postmark", kind: "invalid_target", target: "dead@example.com" });
    const res = await client.sendEmailBatch([email("ok@example.com"), email("dead@example.com")]);
    assert.equal(res[0].ErrorCode, 0);
    assert.equal(res[1].ErrorCode, 406);
  });

  test("a request-level fault in a batch fails the whole request", async () => {
    ctx.faults.add({ provider: "postmark", kind: "unavailable", target: "b@example.com", remaining: 1 });
    const err = await rejection(client.sendEmailBatch([email("a@example.com"), email("b@example.com")]));
    assert.equal(err.statusCode, 503);
    assert.equal(ctx.recorder.list({ accepted: true }).length, 0);
  });

  test("triggered Bounce webhook deactivates the recipient, so the next send is ErrorCode 406", async () => {
    const sent = await client.sendEmail(email("bouncy@example.com", { Tag: "t" }));
    await hooks.waitFor(1, about(sent.MessageID));
    const out = await sim.control!({ method: "POST", path: "/webhooks", query: new URLSearchParams(), body: { messageId: sent.MessageID, recordType: "Bounce" } });
    assert.equal(out?.status, 200);
    const [, bounce] = await hooks.waitFor(2, about(sent.MessageID));
    const payload = JSON.parse(bounce.body);
    assert.equal(payload.RecordType, "Bounce");
    assert.equal(payload.Type, "HardBounce");
    assert.equal(payload.TypeCode, 1);
    assert.equal(payload.Email, "bouncy@example.com");
    assert.equal(payload.MessageID, sent.MessageID);
    assert.equal(payload.Inactive, true);

    const err = await rejection(client.sendEmail(email("bouncy@example.com")));
    assert.ok(err instanceof Errors.InactiveRecipientsError);
    assert.equal(err.code, 406);

    await sim.control!({ method: "DELETE", path: "/suppressions", query: new URLSearchParams({ email: "bouncy@example.com" }), body: undefined });
    assert.equal((await client.sendEmail(email("bouncy@example.com"))).ErrorCode, 0);
  });

  test("Open, Click and SpamComplaint webhooks have Postmark's shapes", async () => {
    const sent = await client.sendEmail(email("reader@example.com"));
    await hooks.waitFor(1, about(sent.MessageID));
    const trigger = (body: Record<string, unknown>) =>
      sim.control!({ method: "POST", path: "/webhooks", query: new URLSearchParams(), body: { messageId: sent.MessageID, ...body } });
    await trigger({ recordType: "Open" });
    await trigger({ recordType: "Click", link: "https://notify.test/x" });
    await trigger({ recordType: "SpamComplaint" });
    const [, open, click, spam] = (await hooks.waitFor(4, about(sent.MessageID))).map((r) => JSON.parse(r.body));
    assert.equal(open.RecordType, "Open");
    assert.equal(open.Recipient, "reader@example.com");
    assert.equal(open.FirstOpen, true);
    assert.equal(click.RecordType, "Click");
    assert.equal(click.OriginalLink, "https://notify.test/x");
    assert.equal(spam.RecordType, "SpamComplaint");
    assert.equal(spam.Email, "reader@example.com");
    assert.equal((await trigger({ recordType: "Nope" }))?.status, 400);
    assert.equal(
      (await sim.control!({ method: "POST", path: "/webhooks", query: new URLSearchParams(), body: { messageId: "missing", recordType: "Open" } }))?.status,
      404,
    );
  });
});
