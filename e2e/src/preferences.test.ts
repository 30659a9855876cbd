import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { twilioSignature } from "@notify/sandbox";
import { ok, rejected } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const SET = `mutation ($externalId: String!, $channel: ChannelScope!, $category: String, $enabled: Boolean!) {
  setPreference(externalId: $externalId, channel: $channel, category: $category, enabled: $enabled) { channel category enabled }
}`;
const PREFERENCES = `query ($externalId: String!) { preferences(externalId: $externalId) { channel category enabled } }`;
const CATEGORY = `mutation ($key: String!, $required: Boolean!) { upsertCategory(key: $key, required: $required) { key required } }`;
const QUIET = `mutation ($externalId: String!, $start: String!, $end: String!) { setQuietHours(externalId: $externalId, start: $start, end: $end) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id channel status statusReason scheduledAt } } }`;

type Sent = { id: string; channel: string; status: string; statusReason: string | null; scheduledAt: string | null };

const NY = "America/New_York";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The zone's offset from UTC in minutes at an instant (−300 for New York in winter). */
function offsetMinutes(timeZone: string, at: Date): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" })
      .formatToParts(at)
      .filter((x) => x.type !== "literal")
      .map((x) => [x.type, Number(x.value)]),
  );
  return (Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - Math.floor(at.getTime() / MINUTE) * MINUTE) / MINUTE;
}

/** The zone's offset changes in (from, from + days], to the minute, found by scanning days and bisecting. */
function transitions(timeZone: string, from: Date, days: number): { at: Date; before: number; after: number }[] {
  const found = [];
  const DAY = 24 * HOUR;
  let t = Math.ceil(from.getTime() / HOUR) * HOUR;
  for (const end = from.getTime() + days * DAY; t < end; t += DAY) {
    const [a, b] = [offsetMinutes(timeZone, new Date(t)), offsetMinutes(timeZone, new Date(t + DAY))];
    if (a === b) continue;
    let [lo, hi] = [t, t + DAY];
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offsetMinutes(timeZone, new Date(mid)) === a) lo = mid;
      else hi = mid;
    }
    found.push({ at: new Date(hi), before: a, after: b });
  }
  return found;
}

/** "HH:MM" and the date of an instant as a wall clock in a zone. */
function wallClock(timeZone: string, at: Date): { date: string; time: string } {
  const f = new Intl.DateTimeFormat("en-CA", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

const hhmm = (minuteOfDay: number) => `${String(Math.floor(minuteOfDay / 60) % 24).padStart(2, "0")}:${String(minuteOfDay % 60).padStart(2, "0")}`;

describe("preferences and opt-out: channel, category, both, global; required categories; quiet hours; unsubscribe; SMS STOP/START", () => {
  let stack: Stack;
  let key: KeyPair;
  const gql = (query: string, variables: Record<string, unknown> = {}) => stack.graphql(key, query, variables);
  const phone = () => `+1415556${String(1000 + Math.floor(Math.random() * 8999))}`;
  const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;

  async function recipient(externalId: string, fields: Record<string, unknown>) {
    ok(await gql(UPSERT, { input: { externalId, ...fields } }));
  }
  async function setPreference(externalId: string, channel: string, category: string, enabled: boolean) {
    return ok(await gql(SET, { externalId, channel, category, enabled })).setPreference;
  }
  async function send(input: Record<string, unknown>): Promise<Sent[]> {
    return ok(await gql(SEND, { input })).sendNotification.notifications;
  }
  const row = (id: string) => stack.db.notification.findUniqueOrThrow({ where: { id }, include: { events: { orderBy: { occurredAt: "asc" } } } });
  const settled = (id: string, timeoutMs = 30_000) =>
    stack.eventually(() => row(id), (n) => ["SENT", "DELIVERED", "FAILED", "DEAD", "SKIPPED", "CANCELED"].includes(n.status), timeoutMs);
  const mailsTo = (address: string) => stack.sandbox.recorder.list({ provider: "postmark" }).filter((r) => r.target === address);
  const smsTo = (number: string) => stack.sandbox.recorder.list({ provider: "twilio" }).filter((r) => r.target === number);

  before(async () => {
    stack = await Stack.start({ env: { SWEEP_INTERVAL_MS: "500" } });
    key = stack.createKeyPair();
    ok(await gql(CATEGORY, { key: "security", required: true }));
  });
  after(() => stack?.stop());

  // Started early and checked at the end, so the wait for the quiet window to end overlaps the other tests.
  const quiet: { held?: { id: string; endsAt: number; address: string }; deferred?: { id: string; endsAt: number; address: string } } = {};

  test("quiet hours around now: a non-urgent email is held (PENDING until the window ends), an urgent one goes at once", async () => {
    // Asia/Kolkata (+05:30): the window is read in the recipient's zone, not the server's.
    const zone = "Asia/Kolkata";
    const now = Date.now();
    const local = wallClock(zone, new Date(now)).time.split(":").map(Number);
    const minute = local[0]! * 60 + local[1]!;
    // End at the next minute boundary at least 10 s away: long enough to see it held, short enough to wait for.
    const k = 60 - new Date(now).getUTCSeconds() >= 10 ? 1 : 2;
    const endsAt = Math.floor(now / MINUTE) * MINUTE + k * MINUTE;
    const address = `${unique("quiet")}@example.com`;
    await recipient("quiet", { email: address, timezone: zone });
    ok(await gql(QUIET, { externalId: "quiet", start: hhmm(minute + 1440 - 30), end: hhmm(minute + k) }));

    const [held] = await send({ externalId: "quiet", channels: ["EMAIL"], content: { subject: "Weekly digest", body: "…" }, category: "marketing" });
    assert.equal(held!.status, "PENDING");
    assert.equal(new Date(held!.scheduledAt!).getTime(), endsAt, "held until the window ends");
    const events = (await row(held!.id)).events;
    assert.deepEqual(events.map((e) => e.type).sort(), ["ACCEPTED", "QUEUED"]);
    assert.deepEqual(events.find((e) => e.type === "QUEUED")!.detail, { reason: "quiet hours", deferredUntil: new Date(endsAt).toISOString() });
    quiet.held = { id: held!.id, endsAt, address };

    const [urgent] = await send({ externalId: "quiet", channels: ["EMAIL"], content: { subject: "Your login code", body: "123456" }, urgent: true });
    assert.equal(urgent!.scheduledAt, null);
    assert.ok(["SENT", "DELIVERED"].includes((await settled(urgent!.id)).status));
    assert.deepEqual(mailsTo(address).map((m) => (m.body as { Subject: string }).Subject), ["Your login code"], "only the urgent one went out");
  });

  test("quiet hours set after a notification was scheduled: the worker holds it at delivery time instead of sending", async () => {
    const address = `${unique("quiet-later")}@example.com`;
    await recipient("quiet-later", { email: address, timezone: "UTC" });
    const [n] = await send({ externalId: "quiet-later", channels: ["EMAIL"], content: { subject: "Reminder", body: "…" }, sendAt: new Date(Date.now() + 4_000).toISOString() });
    const now = Date.now();
    const minute = new Date(now).getUTCHours() * 60 + new Date(now).getUTCMinutes();
    const k = 60 - new Date(now).getUTCSeconds() >= 12 ? 1 : 2;
    const endsAt = Math.floor(now / MINUTE) * MINUTE + k * MINUTE;
    ok(await gql(QUIET, { externalId: "quiet-later", start: hhmm(minute + 1440 - 5), end: hhmm(minute + k) }));
    const deferred = await stack.eventually(
      () => row(n!.id),
      (r) => r.events.some((e) => e.type === "QUEUED" && (e.detail as { reason?: string } | null)?.reason === "quiet hours"),
    );
    assert.equal(deferred.status, "PENDING");
    assert.equal(deferred.scheduledAt!.getTime(), endsAt);
    assert.equal(mailsTo(address).length, 0);
    quiet.deferred = { id: n!.id, endsAt, address };
  });

  test("quiet hours across DST changes in America/New_York: held until 07:00 local on the right side of the change", async () => {
    const address = `${unique("dst")}@example.com`;
    await recipient("dst", { email: address, timezone: NY });
    ok(await gql(QUIET, { externalId: "dst", start: "22:00", end: "07:00" }));
    // The next spring-forward and fall-back within the year a send may be scheduled in.
    const changes = transitions(NY, new Date(), 360);
    const spring = changes.find((c) => c.after > c.before);
    assert.ok(spring, "New York springs forward once a year");
    const cases = [{ change: spring, sendAt: new Date(spring.at.getTime() - 30 * MINUTE), localSend: "01:30", expected: new Date(spring.at.getTime() + 4 * HOUR), span: 4.5 * HOUR }];
    const fall = changes.find((c) => c.after < c.before);
    if (fall) cases.push({ change: fall, sendAt: new Date(fall.at.getTime() - 90 * MINUTE), localSend: "00:30", expected: new Date(fall.at.getTime() + 6 * HOUR), span: 7.5 * HOUR });

    for (const c of cases) {
      assert.equal(wallClock(NY, c.sendAt).time, c.localSend);
      const [n] = await send({ externalId: "dst", channels: ["EMAIL"], content: { subject: "Night owl", body: "…" }, sendAt: c.sendAt.toISOString() });
      const at = new Date(n!.scheduledAt!);
      assert.equal(at.toISOString(), c.expected.toISOString(), `held until the end of quiet hours on ${wallClock(NY, c.sendAt).date}`);
      assert.deepEqual(wallClock(NY, at), { date: wallClock(NY, c.sendAt).date, time: "07:00" });
      // 01:30 → 07:00 is 4.5 real hours on the night an hour is skipped; 00:30 → 07:00 is 7.5 on the night one repeats.
      assert.equal(at.getTime() - c.sendAt.getTime(), c.span);
      assert.equal(n!.status, "PENDING");

      const [urgent] = await send({ externalId: "dst", channels: ["EMAIL"], content: { subject: "Alarm", body: "…" }, sendAt: c.sendAt.toISOString(), urgent: true });
      assert.equal(new Date(urgent!.scheduledAt!).toISOString(), c.sendAt.toISOString(), "urgent ignores quiet hours");
    }
  });

  test("opting out per channel, per category, per channel × category and globally: the send is accepted, the opted-out notification is SKIPPED with the reason, and no provider sees it", async () => {
    const scenarios: { rules: [string, string, boolean][]; category: string; skipped: Record<string, RegExp | null> }[] = [
      { rules: [["EMAIL", "*", false]], category: "marketing", skipped: { EMAIL: /^opted out of EMAIL$/, SMS: null } },
      { rules: [["ALL", "marketing", false]], category: "marketing", skipped: { EMAIL: /category "marketing" on every channel/, SMS: /category "marketing" on every channel/ } },
      { rules: [["ALL", "marketing", false]], category: "account", skipped: { EMAIL: null, SMS: null } },
      { rules: [["SMS", "marketing", false]], category: "marketing", skipped: { EMAIL: null, SMS: /category "marketing" on SMS/ } },
      { rules: [["ALL", "*", false]], category: "account", skipped: { EMAIL: /^opted out of all notifications$/, SMS: /^opted out of all notifications$/ } },
      // The most specific rule wins: a global opt-out with marketing email switched back on.
      { rules: [["ALL", "*", false], ["EMAIL", "marketing", true]], category: "marketing", skipped: { EMAIL: null, SMS: /all notifications/ } },
      // Required categories go through whatever the rules say.
      { rules: [["ALL", "*", false]], category: "security", skipped: { EMAIL: null, SMS: null } },
    ];
    for (const [i, s] of scenarios.entries()) {
      const externalId = unique(`optout-${i}`);
      const [address, number] = [`${externalId}@example.com`, phone()];
      await recipient(externalId, { email: address, phone: number });
      for (const [channel, category, enabled] of s.rules) await setPreference(externalId, channel, category, enabled);
      const sent = await send({ externalId, channels: ["EMAIL", "SMS"], content: { subject: `case ${i}`, body: `case ${i}` }, category: s.category });
      for (const n of sent) {
        const expected = s.skipped[n.channel];
        const label = `case ${i} ${n.channel}`;
        if (expected) {
          assert.equal(n.status, "SKIPPED", label);
          assert.match(n.statusReason!, expected, label);
          const r = await row(n.id);
          assert.deepEqual(r.events.map((e) => e.type).sort(), ["ACCEPTED", "SKIPPED"], label);
          assert.equal(r.attemptCount, 0, label);
        } else {
          assert.ok(["SENT", "DELIVERED"].includes((await settled(n.id)).status), label);
        }
      }
      assert.equal(mailsTo(address).length, s.skipped.EMAIL ? 0 : 1, `case ${i}: emails at Postmark`);
      assert.equal(smsTo(number).length, s.skipped.SMS ? 0 : 1, `case ${i}: messages at Twilio`);
    }
  });

  test("a required category cannot be opted out of: CATEGORY_REQUIRED, and nothing changes", async () => {
    await recipient("req", { email: "req@example.com" });
    for (const channel of ["EMAIL", "ALL"]) {
      rejected(await gql(SET, { externalId: "req", channel, category: "security", enabled: false }), { code: "BAD_USER_INPUT", reason: "CATEGORY_REQUIRED", field: "category" });
    }
    assert.deepEqual(ok(await gql(PREFERENCES, { externalId: "req" })).preferences, []);
    // Turning it on is fine (and meaningless).
    assert.deepEqual(await setPreference("req", "EMAIL", "security", true), { channel: "EMAIL", category: "security", enabled: true });

    // Making a category required later overrides opt-outs made before.
    await setPreference("req", "EMAIL", "billing", false);
    const [before] = await send({ externalId: "req", channels: ["EMAIL"], content: { subject: "Invoice", body: "…" }, category: "billing" });
    assert.equal(before!.status, "SKIPPED");
    ok(await gql(CATEGORY, { key: "billing", required: true }));
    const [afterwards] = await send({ externalId: "req", channels: ["EMAIL"], content: { subject: "Invoice", body: "…" }, category: "billing" });
    assert.ok(["SENT", "DELIVERED"].includes((await settled(afterwards!.id)).status));
    // A required category's email has nothing to unsubscribe from.
    const headers = (mailsTo("req@example.com").at(-1)!.body as { Headers?: { Name: string }[] }).Headers ?? [];
    assert.ok(!headers.some((h) => h.Name === "List-Unsubscribe"), JSON.stringify(headers));
  });

  test("an opt-out between scheduling and delivery wins: the notification is SKIPPED at delivery with the reason; an opt-in in between delivers", async () => {
    const address = `${unique("between")}@example.com`;
    await recipient("between", { email: address });
    const sendAt = new Date(Date.now() + 3_000).toISOString();
    const [out] = await send({ externalId: "between", channels: ["EMAIL"], content: { subject: "Sale", body: "…" }, category: "marketing", sendAt });
    assert.equal(out!.status, "PENDING");
    await setPreference("between", "EMAIL", "marketing", false);
    const skipped = await settled(out!.id);
    assert.equal(skipped.status, "SKIPPED");
    assert.match(skipped.statusReason!, /^opted out after acceptance: opted out of category "marketing" on EMAIL$/);
    assert.ok(skipped.events.some((e) => e.type === "SKIPPED"));
    assert.equal(mailsTo(address).length, 0);

    // Opted out when scheduled, back in before the time: delivered.
    const [back] = await send({ externalId: "between", channels: ["EMAIL"], content: { subject: "Sale 2", body: "…" }, category: "marketing", sendAt: new Date(Date.now() + 3_000).toISOString() });
    assert.equal(back!.status, "PENDING", "a scheduled send is decided at delivery time");
    await setPreference("between", "EMAIL", "marketing", true);
    assert.ok(["SENT", "DELIVERED"].includes((await settled(back!.id)).status));
    assert.deepEqual(mailsTo(address).map((m) => (m.body as { Subject: string }).Subject), ["Sale 2"]);
  });

  test("one-click unsubscribe: signed List-Unsubscribe + List-Unsubscribe-Post headers; the POST opts out of that category on email; tampered links are refused", async () => {
    const address = `${unique("unsub")}@example.com`;
    await recipient("unsub", { email: address });
    const [n] = await send({ externalId: "unsub", channels: ["EMAIL"], content: { subject: "News", body: "…" }, category: "newsletter" });
    await settled(n!.id);
    const headers = Object.fromEntries(((mailsTo(address)[0]!.body as { Headers: { Name: string; Value: string }[] }).Headers ?? []).map((h) => [h.Name, h.Value]));
    assert.equal(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    const match = /^<(http:\/\/[^>]+\/webhooks\/unsubscribe\/([^>]+))>/.exec(headers["List-Unsubscribe"] ?? "");
    assert.ok(match, `List-Unsubscribe: ${headers["List-Unsubscribe"]}`);
    const [, url, token] = match;
    assert.ok(url!.startsWith(stack.apiUrl));
    const oneClick = (target: string) =>
      fetch(target, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });

    // Tampering: a flipped signature byte, or a payload changed to another category, is a 400 and changes nothing.
    const [version, payload, signature] = token!.split(".");
    const flipped = `${version}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith("AA") ? "BB" : "AA"}`;
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const otherCategory = `${version}.${Buffer.from(JSON.stringify({ ...claims, k: "account" })).toString("base64url")}.${signature}`;
    for (const bad of [flipped, otherCategory, "u1.e30.x"]) {
      const res = await oneClick(`${stack.apiUrl}/webhooks/unsubscribe/${bad}`);
      assert.equal(res.status, 400, bad);
    }
    // A GET (a link scanner) shows a confirmation page and changes nothing.
    const page = await fetch(url!);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<form method="post">/);
    assert.deepEqual(ok(await gql(PREFERENCES, { externalId: "unsub" })).preferences, []);

    const res = await oneClick(url!);
    assert.equal(res.status, 200);
    assert.deepEqual(ok(await gql(PREFERENCES, { externalId: "unsub" })).preferences, [{ channel: "EMAIL", category: "newsletter", enabled: false }]);
    assert.equal((await oneClick(url!)).status, 200, "a repeated click is harmless");

    const [next] = await send({ externalId: "unsub", channels: ["EMAIL"], content: { subject: "News 2", body: "…" }, category: "newsletter" });
    assert.equal(next!.status, "SKIPPED");
    const [other] = await send({ externalId: "unsub", channels: ["EMAIL"], content: { subject: "Receipt", body: "…" }, category: "account" });
    assert.ok(["SENT", "DELIVERED"].includes((await settled(other!.id)).status), "other categories still arrive");
  });

  test("inbound SMS STOP and START (X-Twilio-Signature verified) turn SMS off and on for that phone", async () => {
    const number = phone();
    await recipient("sms-a", { phone: number, email: "sms-a@example.com" });
    await recipient("sms-b", { phone: number });
    const inboundUrl = `${stack.apiUrl}/webhooks/twilio/inbound`;
    const creds = stack.sandbox.credentials.twilio;
    const inbound = (body: string, signWith = creds.authToken) => {
      const params = { AccountSid: creds.accountSid, MessageSid: `SM${randomBytes(16).toString("hex")}`, From: number, To: creds.fromNumber, Body: body, NumMedia: "0" };
      return fetch(inboundUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(signWith, inboundUrl, params) },
        body: new URLSearchParams(params).toString(),
      });
    };
    const smsRules = async (externalId: string) =>
      (ok(await gql(PREFERENCES, { externalId })).preferences as { channel: string; enabled: boolean }[]).filter((p) => p.channel === "SMS");

    // A forged STOP (wrong token) is refused and changes nothing.
    assert.equal((await inbound("STOP", "0".repeat(32))).status, 403);
    const unsigned = await fetch(inboundUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `From=${encodeURIComponent(number)}&Body=STOP` });
    assert.equal(unsigned.status, 403);
    assert.deepEqual(await smsRules("sms-a"), []);

    const stop = await inbound("  stop ");
    assert.equal(stop.status, 200);
    assert.match(await stop.text(), /<Response\/>/);
    for (const externalId of ["sms-a", "sms-b"]) assert.deepEqual(await smsRules(externalId), [{ channel: "SMS", category: "*", enabled: false }]);
    const [skipped, email] = await send({ externalId: "sms-a", channels: ["SMS", "EMAIL"], content: { subject: "Hi", body: "Hello" } });
    assert.equal(skipped!.status, "SKIPPED");
    assert.equal(skipped!.statusReason, "opted out of SMS");
    assert.notEqual(email!.status, "SKIPPED", "STOP is about SMS only");

    assert.equal((await inbound("START")).status, 200);
    assert.deepEqual(await smsRules("sms-b"), [{ channel: "SMS", category: "*", enabled: true }]);
    const [sms] = await send({ externalId: "sms-b", channels: ["SMS"], content: { body: "Welcome back" } });
    assert.ok(["SENT", "DELIVERED"].includes((await settled(sms!.id)).status));
    assert.deepEqual(smsTo(number).map((r) => (r.body as { Body: string }).Body), ["Welcome back"]);

    // Other words are acknowledged and ignored.
    assert.equal((await inbound("thanks!")).status, 200);
    assert.deepEqual(await smsRules("sms-b"), [{ channel: "SMS", category: "*", enabled: true }]);
  });

  test("held notifications are delivered once their quiet hours end, not dropped", async () => {
    for (const [label, q] of Object.entries(quiet)) {
      assert.ok(q, `${label} was set up`);
      const n = await settled(q.id, Math.max(0, q.endsAt - Date.now()) + 30_000);
      assert.ok(["SENT", "DELIVERED"].includes(n.status), `${label}: ${n.status} ${n.statusReason}`);
      assert.ok(n.sentAt!.getTime() >= q.endsAt - 1_000, `${label}: sent at ${n.sentAt!.toISOString()}, window ended ${new Date(q.endsAt).toISOString()}`);
      assert.equal(mailsTo(q.address).filter((m) => m.accepted && (m.body as { Subject: string }).Subject !== "Your login code").length, 1, `${label}: delivered once`);
    }
  });
});
