import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { ok, rejected } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id channel status scheduledAt } } }`;
const CANCEL = `mutation ($id: ID!) { cancelNotification(id: $id) { id status statusReason scheduledAt } }`;
const RESCHEDULE = `mutation ($id: ID!, $input: RescheduleInput!) { rescheduleNotification(id: $id, input: $input) { id status scheduledAt } }`;
const CREATE_TEMPLATE = `mutation ($input: CreateTemplateInput!) { createTemplate(input: $input) { key } }`;
const PUBLISH = `mutation ($key: String!) { publishTemplate(key: $key) { version } }`;
const RECURRING = `mutation ($input: CreateRecurringScheduleInput!) {
  createRecurringSchedule(input: $input) { id cron timezone channels category active nextRunAt lastRunAt }
}`;
const CANCEL_RECURRING = `mutation ($id: ID!) { cancelRecurringSchedule(id: $id) { id active } }`;
const SCHEDULES = `query ($externalId: String!) { recurringSchedules(externalId: $externalId) { id active nextRunAt lastRunAt } }`;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** An instant written with a fixed offset, e.g. 2026-11-25T19:04:05.000+09:00: what a caller in Seoul would send. */
function withOffset(at: Date, offsetMinutes: number): string {
  const local = new Date(at.getTime() + offsetMinutes * MINUTE).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function localDate(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

function offsetMinutes(timeZone: string, at: Date): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" })
      .formatToParts(at)
      .filter((x) => x.type !== "literal")
      .map((x) => [x.type, Number(x.value)]),
  );
  return (Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - Math.floor(at.getTime() / MINUTE) * MINUTE) / MINUTE;
}

/** The first instant with a new offset after `from`, within `days`, to the minute (days scanned, then bisected). */
function nextTransition(timeZone: string, from: Date, days: number, forward: boolean): Date | null {
  const DAY = 24 * HOUR;
  for (let t = Math.ceil(from.getTime() / HOUR) * HOUR, end = from.getTime() + days * DAY; t < end; t += DAY) {
    const [a, b] = [offsetMinutes(timeZone, new Date(t)), offsetMinutes(timeZone, new Date(t + DAY))];
    if (a === b || b > a !== forward) continue;
    let [lo, hi] = [t, t + DAY];
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offsetMinutes(timeZone, new Date(mid)) === a) lo = mid;
      else hi = mid;
    }
    return new Date(hi);
  }
  return null;
}

describe("scheduling: sendAt, local time, cancel, reschedule, bad times, surviving a Redis wipe and worker restart, recurring schedules", () => {
  let stack: Stack;
  let key: KeyPair;
  let redis: Redis;
  const gql = (query: string, variables: Record<string, unknown> = {}) => stack.graphql(key, query, variables);
  const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;

  async function recipient(externalId: string, fields: Record<string, unknown>) {
    ok(await gql(UPSERT, { input: { externalId, ...fields } }));
  }
  async function send(input: Record<string, unknown>) {
    return ok(await gql(SEND, { input })).sendNotification.notifications[0] as { id: string; status: string; scheduledAt: string | null };
  }
  const row = (id: string) => stack.db.notification.findUniqueOrThrow({ where: { id }, include: { events: true } });
  const settled = (id: string, timeoutMs = 30_000) =>
    stack.eventually(() => row(id), (n) => ["SENT", "DELIVERED", "FAILED", "DEAD", "SKIPPED"].includes(n.status), timeoutMs);
  const mailsTo = (address: string) => stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).filter((r) => r.target === address);
  const footprint = async () => ({
    notifications: await stack.db.notification.count(),
    accepted: await stack.db.deliveryEvent.count({ where: { type: { in: ["ACCEPTED", "CANCELED"] } } }),
    schedules: await stack.db.recurringSchedule.count(),
    delayed: await redis.zcard("notify:{deliver-email}:delayed"),
  });

  before(async () => {
    // A fast ticker so every-second cron schedules tick on time; a fast sweeper for the Redis wipe.
    stack = await Stack.start({ env: { RECURRING_TICK_MS: "200", SWEEP_INTERVAL_MS: "500", SWEEP_GRACE_MS: "1000" } });
    key = stack.createKeyPair();
    redis = new Redis(stack.redisUrl);
  });
  after(async () => {
    redis?.disconnect();
    await stack?.stop();
  });

  test("sendAt with an offset: PENDING in Postgres with a delayed job until its time, then delivered once, not early", async () => {
    const address = `${unique("at")}@example.com`;
    await recipient("at", { email: address, timezone: "Asia/Seoul" });
    const due = new Date(Math.ceil((Date.now() + 4_000) / 1000) * 1000);
    const n = await send({ externalId: "at", channels: ["EMAIL"], content: { subject: "Later", body: "…" }, sendAt: withOffset(due, 9 * 60) });
    assert.equal(n.status, "PENDING");
    assert.equal(n.scheduledAt, due.toISOString());
    assert.ok((await redis.zscore("notify:{deliver-email}:delayed", n.id)) !== null, "a delayed job waits in Redis");
    assert.equal(mailsTo(address).length, 0);
    const sent = await settled(n.id);
    assert.ok(["SENT", "DELIVERED"].includes(sent.status));
    // The claim allows 1 s of clock skew between hosts, no more.
    assert.ok(sent.sentAt!.getTime() >= due.getTime() - 1_000, `sent ${sent.sentAt!.toISOString()} for ${due.toISOString()}`);
    assert.ok(new Date(mailsTo(address)[0]!.receivedAt).getTime() >= due.getTime() - 1_000);
    assert.equal(mailsTo(address).length, 1);
  });

  test("sendAtLocal: a wall-clock time in the recipient's zone, including DST gaps and repeats", async () => {
    await recipient("kolkata", { email: "kolkata@example.com", timezone: "Asia/Kolkata" });
    const tomorrow = localDate("Asia/Kolkata", new Date(Date.now() + 24 * HOUR));
    const n = await send({ externalId: "kolkata", channels: ["EMAIL"], content: { subject: "Morning", body: "…" }, sendAtLocal: { date: tomorrow, time: "09:15" } });
    assert.equal(n.scheduledAt, new Date(`${tomorrow}T09:15:00+05:30`).toISOString());
    assert.equal(n.status, "PENDING");

    await recipient("ny", { email: "ny@example.com", timezone: "America/New_York" });
    const spring = nextTransition("America/New_York", new Date(), 360, true);
    assert.ok(spring);
    // 02:30 does not exist that night: the first minute that does, 03:00 EDT, is the transition itself.
    const gap = await send({ externalId: "ny", channels: ["EMAIL"], content: { subject: "Gap", body: "…" }, sendAtLocal: { date: localDate("America/New_York", spring), time: "02:30" } });
    assert.equal(gap.scheduledAt, spring.toISOString());
    const fall = nextTransition("America/New_York", new Date(), 360, false);
    if (fall) {
      // 01:30 happens twice: the first (EDT) one, 30 minutes before the clocks go back.
      const twice = await send({ externalId: "ny", channels: ["EMAIL"], content: { subject: "Twice", body: "…" }, sendAtLocal: { date: localDate("America/New_York", fall), time: "01:30" } });
      assert.equal(twice.scheduledAt, new Date(fall.getTime() - 30 * MINUTE).toISOString());
    }
  });

  test("cancel and reschedule by id", async () => {
    const address = `${unique("move")}@example.com`;
    await recipient("move", { email: address, timezone: "Europe/Berlin" });
    const content = (subject: string) => ({ subject, body: "…" });

    // Cancel: CANCELED with an event, the delayed job gone, a repeat is harmless, moving it is refused.
    const canceled = await send({ externalId: "move", channels: ["EMAIL"], content: content("canceled"), sendAt: new Date(Date.now() + HOUR).toISOString() });
    const c = ok(await gql(CANCEL, { id: canceled.id })).cancelNotification;
    assert.equal(c.status, "CANCELED");
    assert.ok((await row(canceled.id)).events.some((e) => e.type === "CANCELED"));
    assert.equal(await redis.zscore("notify:{deliver-email}:delayed", canceled.id), null);
    assert.equal(ok(await gql(CANCEL, { id: canceled.id })).cancelNotification.status, "CANCELED");
    rejected(await gql(RESCHEDULE, { id: canceled.id, input: { sendAt: new Date(Date.now() + MINUTE).toISOString() } }), { code: "CONFLICT", reason: "NOT_RESCHEDULABLE" });

    // Earlier: an hour away, moved to 3 s from now; delivered once, at the new time.
    const sooner = await send({ externalId: "move", channels: ["EMAIL"], content: content("sooner"), sendAt: new Date(Date.now() + HOUR).toISOString() });
    const newTime = new Date(Math.ceil((Date.now() + 3_000) / 1000) * 1000);
    const moved = ok(await gql(RESCHEDULE, { id: sooner.id, input: { sendAt: newTime.toISOString() } })).rescheduleNotification;
    assert.deepEqual([moved.status, moved.scheduledAt], ["PENDING", newTime.toISOString()]);
    // Later: due in 2 s, moved to tomorrow 08:00 in Berlin (sendAtLocal); it must not go at the old time.
    const oldTime = Date.now() + 3_000;
    const later = await send({ externalId: "move", channels: ["EMAIL"], content: content("later"), sendAt: new Date(oldTime).toISOString() });
    const tomorrow = localDate("Europe/Berlin", new Date(Date.now() + 24 * HOUR));
    const postponed = ok(await gql(RESCHEDULE, { id: later.id, input: { sendAtLocal: { date: tomorrow, time: "08:00" } } })).rescheduleNotification;
    assert.equal(new Date(postponed.scheduledAt).getTime(), instantIn("Europe/Berlin", tomorrow, "08:00"));

    const sent = await settled(sooner.id);
    assert.ok(sent.sentAt!.getTime() >= newTime.getTime() - 1_000);
    await new Promise((r) => setTimeout(r, Math.max(0, oldTime + 2_000 - Date.now()))); // well past the old time of "later"
    assert.equal((await row(later.id)).status, "PENDING");
    assert.deepEqual(mailsTo(address).map((m) => (m.body as { Subject: string }).Subject), ["sooner"]);

    // Too late to cancel what was sent; unknown ids are NOT_FOUND.
    rejected(await gql(CANCEL, { id: sooner.id }), { code: "CONFLICT", reason: "NOT_CANCELABLE" });
    rejected(await gql(CANCEL, { id: "00000000-0000-4000-8000-000000000000" }), { code: "NOT_FOUND" });
    ok(await gql(CANCEL, { id: later.id }));
  });

  test("times in the past, too far ahead, malformed, or in an invalid time zone are refused with typed errors and write nothing", async () => {
    await recipient("bad", { email: "bad@example.com", timezone: "Europe/Paris" });
    await recipient("no-zone", { email: "nozone@example.com" });
    const pending = await send({ externalId: "bad", channels: ["EMAIL"], content: { subject: "x", body: "y" }, sendAt: new Date(Date.now() + HOUR).toISOString() });
    const base = { externalId: "bad", channels: ["EMAIL"], content: { subject: "x", body: "y" } };
    const before = await footprint();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...base, sendAt: new Date(Date.now() - MINUTE).toISOString() }, "SEND_AT_IN_PAST", "sendAt"],
      [{ ...base, sendAt: new Date(Date.now() + 366 * 24 * HOUR).toISOString() }, "SEND_AT_TOO_FAR", "sendAt"],
      [{ ...base, sendAt: "2030-01-01T09:00:00" }, "INVALID_SEND_AT", "sendAt"], // no offset: means nothing on a server
      [{ ...base, sendAt: "2027-02-30T09:00:00Z" }, "INVALID_SEND_AT", "sendAt"],
      [{ ...base, sendAt: "tomorrow" }, "INVALID_SEND_AT", "sendAt"],
      [{ ...base, sendAt: new Date(Date.now() + HOUR).toISOString(), sendAtLocal: { date: "2030-01-01", time: "09:00" } }, "CONFLICTING_SEND_AT", "sendAtLocal"],
      [{ ...base, sendAtLocal: { date: "2030-13-01", time: "09:00" } }, "INVALID_SEND_AT", "sendAtLocal.date"],
      [{ ...base, sendAtLocal: { date: localDate("Europe/Paris", new Date(Date.now() + 48 * HOUR)), time: "9am" } }, "INVALID_SEND_AT", "sendAtLocal.time"],
      [{ ...base, sendAtLocal: { date: "2020-01-01", time: "09:00" } }, "SEND_AT_IN_PAST", "sendAtLocal"],
      [{ ...base, externalId: "no-zone", sendAtLocal: { date: "2030-01-01", time: "09:00" } }, "MISSING_TIMEZONE", "sendAtLocal"],
      [{ ...base, channels: ["IN_APP"], sendAt: new Date(Date.now() + HOUR).toISOString() }, "UNSCHEDULABLE_CHANNEL", "channels"],
    ];
    for (const [input, reason, field] of cases) rejected(await gql(SEND, { input }), { code: "BAD_USER_INPUT", reason, field });
    rejected(await gql(RESCHEDULE, { id: pending.id, input: { sendAt: new Date(Date.now() - HOUR).toISOString() } }), { code: "BAD_USER_INPUT", reason: "SEND_AT_IN_PAST" });
    rejected(await gql(RESCHEDULE, { id: pending.id, input: {} }), { code: "BAD_USER_INPUT", reason: "MISSING_SEND_AT" });

    // Time zones: a recipient's and a recurring schedule's are checked against the IANA database.
    rejected(await gql(UPSERT, { input: { externalId: "bad", timezone: "Mars/Olympus_Mons" } }), { code: "BAD_USER_INPUT", reason: "INVALID_TIMEZONE", field: "timezone" });
    const recurring = (cron: string, timezone: string) => ({ externalId: "bad", cron, timezone, request: { channels: ["EMAIL"], content: { subject: "x", body: "y" } } });
    rejected(await gql(RECURRING, { input: recurring("0 9 * * *", "Europe/Atlantis") }), { code: "BAD_USER_INPUT", reason: "INVALID_TIMEZONE", field: "timezone" });
    rejected(await gql(RECURRING, { input: recurring("0 25 * * *", "Europe/Paris") }), { code: "BAD_USER_INPUT", reason: "INVALID_CRON", field: "cron" });
    rejected(await gql(RECURRING, { input: recurring("every day", "Europe/Paris") }), { code: "BAD_USER_INPUT", reason: "INVALID_CRON", field: "cron" });

    assert.deepEqual(await footprint(), before, "nothing written to Postgres or Redis");
    const unchanged = await row(pending.id);
    assert.equal(unchanged.scheduledAt!.toISOString(), pending.scheduledAt);
    assert.equal((await stack.db.recipient.findFirstOrThrow({ where: { externalId: "bad" } })).timezone, "Europe/Paris");
  });

  test("scheduled notifications survive a Redis wipe and a crash and restart of the workers: each is delivered once, not before its time", async () => {
    const addresses = [0, 1, 2].map((i) => `${unique(`wipe-${i}`)}@example.com`);
    const due = new Date(Math.ceil((Date.now() + 6_000) / 1000) * 1000);
    const ids: string[] = [];
    for (const [i, address] of addresses.entries()) {
      await recipient(`wipe-${i}`, { email: address });
      ids.push((await send({ externalId: `wipe-${i}`, channels: ["EMAIL"], content: { subject: "Survivor", body: "…" }, sendAt: due.toISOString() })).id);
    }
    for (const id of ids) assert.ok((await redis.zscore("notify:{deliver-email}:delayed", id)) !== null, "a delayed job each");

    // The worker dies without a chance to clean up, then Redis loses everything.
    for (const w of stack.workers) await w.stop("SIGKILL");
    await redis.flushdb();
    assert.equal(await redis.dbsize(), 0);
    assert.deepEqual(
      (await stack.db.notification.findMany({ where: { id: { in: ids } } })).map((n) => n.status),
      ["PENDING", "PENDING", "PENDING"],
      "Postgres still has them",
    );

    // Two fresh processes (the recurring test below needs two tickers anyway).
    await Promise.all([stack.startWorker(), stack.startWorker()]);
    for (const [i, id] of ids.entries()) {
      const n = await settled(id, 40_000);
      assert.ok(["SENT", "DELIVERED"].includes(n.status), `${id}: ${n.status}`);
      assert.ok(n.sentAt!.getTime() >= due.getTime() - 1_000, `not early: ${n.sentAt!.toISOString()} < ${due.toISOString()}`);
      assert.equal(mailsTo(addresses[i]!).length, 1, "exactly once");
    }
  });

  test("a recurring schedule creates a notification on every tick (one worker ticks at a time), and stops when canceled", async () => {
    const address = `${unique("cron")}@example.com`;
    await recipient("cron", { email: address });
    ok(
      await gql(CREATE_TEMPLATE, {
        input: {
          key: "streak",
          name: "Streak",
          category: "engagement",
          content: [{ locale: "en", email: { subject: "Keep your streak, {{ name }}", text: "Practice today." } }],
          variables: [{ name: "name", type: "STRING" }],
        },
      }),
    );
    ok(await gql(PUBLISH, { key: "streak" }));
    assert.equal(stack.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).length, 2, "two worker processes, two tickers");

    const schedule = ok(
      await gql(RECURRING, {
        input: { externalId: "cron", cron: "*/2 * * * * *", timezone: "Europe/Paris", request: { channels: ["EMAIL"], template: { key: "streak", data: { name: "Gus" } } } },
      }),
    ).createRecurringSchedule;
    assert.deepEqual([schedule.active, schedule.channels, schedule.category, schedule.lastRunAt], [true, ["EMAIL"], "engagement", null]);
    assert.equal(new Date(schedule.nextRunAt).getUTCSeconds() % 2, 0);

    const ticks = await stack.eventually(
      () => stack.db.notification.findMany({ where: { scheduleId: schedule.id }, orderBy: { createdAt: "asc" }, include: { templateVersion: true } }),
      (ns) => ns.length >= 3,
      30_000,
    );
    for (const n of ticks) {
      assert.deepEqual([n.channel, n.category, n.templateVersion?.version, (n.content as { subject: string }).subject], ["EMAIL", "engagement", 1, "Keep your streak, Gus"]);
    }
    // Each notification carries the tick it was made for: every one a tick of the expression, none twice.
    const tickTimes = ticks.map((n) => n.scheduledAt!.getTime());
    assert.ok(tickTimes.every((t) => t % 2_000 === 0), "on even seconds");
    assert.equal(new Set(tickTimes).size, tickTimes.length, "one notification per tick, though two processes tick");
    for (const n of ticks) assert.ok(["SENT", "DELIVERED"].includes((await settled(n.id)).status));
    const listed = ok(await gql(SCHEDULES, { externalId: "cron" })).recurringSchedules;
    assert.ok(listed[0].lastRunAt, "lastRunAt advances");
    assert.ok(new Date(listed[0].nextRunAt).getTime() > new Date(listed[0].lastRunAt).getTime());

    assert.equal(ok(await gql(CANCEL_RECURRING, { id: schedule.id })).cancelRecurringSchedule.active, false);
    const afterCancel = await stack.db.notification.count({ where: { scheduleId: schedule.id } });
    await new Promise((r) => setTimeout(r, 4_500)); // two more ticks' worth
    assert.equal(await stack.db.notification.count({ where: { scheduleId: schedule.id } }), afterCancel, "no ticks after cancel");
    assert.equal(await stack.db.notification.count({ where: { scheduleId: schedule.id, status: { in: ["PENDING", "QUEUED"] } } }), 0);
    assert.equal(ok(await gql(SCHEDULES, { externalId: "cron" })).recurringSchedules[0].active, false);
    // Each tick's notification was either delivered (one email each) or canceled with the schedule.
    const final = await stack.eventually(
      () => stack.db.notification.findMany({ where: { scheduleId: schedule.id } }),
      (ns) => ns.every((n) => ["SENT", "DELIVERED", "CANCELED"].includes(n.status)),
    );
    assert.equal(mailsTo(address).length, final.filter((n) => n.status !== "CANCELED").length);
  });

  test("ticks missed while no worker ran become one notification, not a burst; the next run is the next 09:00 in the schedule's zone", async () => {
    await recipient("downtime", { email: "downtime@example.com" });
    const schedule = ok(
      await gql(RECURRING, {
        input: { externalId: "downtime", cron: "0 9 * * *", timezone: "America/New_York", request: { channels: ["EMAIL"], content: { subject: "Daily", body: "…" } } },
      }),
    ).createRecurringSchedule;
    assert.equal(new Intl.DateTimeFormat("en-GB", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit" }).format(new Date(schedule.nextRunAt)), "09:00");
    // As if every worker had been down for three days: three daily ticks are overdue.
    const missed = new Date(Date.now() - 3 * 24 * HOUR);
    await stack.db.recurringSchedule.update({ where: { id: schedule.id }, data: { nextRunAt: missed } });
    const fired = await stack.eventually(() => stack.db.recurringSchedule.findUniqueOrThrow({ where: { id: schedule.id } }), (r) => r.lastRunAt !== null);
    assert.equal(fired.lastRunAt!.toISOString(), missed.toISOString());
    const [tick] = await stack.db.notification.findMany({ where: { scheduleId: schedule.id } });
    assert.equal(tick!.scheduledAt!.toISOString(), missed.toISOString(), "made for the overdue tick, delivered now");
    assert.ok(["SENT", "DELIVERED"].includes((await settled(tick!.id)).status));
    assert.ok(fired.nextRunAt.getTime() > Date.now() && fired.nextRunAt.getTime() <= Date.now() + 24 * HOUR, fired.nextRunAt.toISOString());
    assert.equal(new Intl.DateTimeFormat("en-GB", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit" }).format(fired.nextRunAt), "09:00");
    await new Promise((r) => setTimeout(r, 1_000)); // a few more ticker passes
    assert.equal(await stack.db.notification.count({ where: { scheduleId: schedule.id } }), 1);
  });
});

/** The instant a wall-clock time happens in a zone without a DST change that day. */
function instantIn(timeZone: string, date: string, time: string): number {
  const naive = new Date(`${date}T${time}:00Z`);
  return naive.getTime() - offsetMinutes(timeZone, naive) * MINUTE;
}
