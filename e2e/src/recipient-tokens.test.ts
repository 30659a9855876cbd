import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ok, rejected } from "./harness/gql.js";
import { Stack, type GraphQLResponse, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const ISSUE = `mutation ($externalId: String!, $ttlSeconds: Int) { issueRecipientToken(externalId: $externalId, ttlSeconds: $ttlSeconds) { token expiresAt } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id status scheduledAt } } }`;
const NOTIFICATION = `query ($id: ID!) { notification(id: $id) { id status } }`;
const HISTORY = `query ($externalId: String!) { deliveryHistory(externalId: $externalId) { id status recipient { externalId } } }`;
const CANCEL = `mutation ($id: ID!) { cancelNotification(id: $id) { id status } }`;
const RESCHEDULE = `mutation ($id: ID!, $input: RescheduleInput!) { rescheduleNotification(id: $id, input: $input) { id scheduledAt } }`;
const SET_PREF = `mutation ($externalId: String!, $channel: ChannelScope!, $category: String, $enabled: Boolean!) {
  setPreference(externalId: $externalId, channel: $channel, category: $category, enabled: $enabled) { channel category enabled }
}`;
const PREFS = `query ($externalId: String!) { preferences(externalId: $externalId) { channel category enabled } }`;
const QUIET = `mutation ($externalId: String!) { setQuietHours(externalId: $externalId, start: "22:00", end: "07:00") { id } }`;
const CLEAR_QUIET = `mutation ($externalId: String!) { clearQuietHours(externalId: $externalId) { id } }`;
const DEVICE = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id state } }`;
const UNREGISTER = `mutation ($input: UnregisterDeviceInput!) { unregisterDevice(input: $input) { id state invalidReason } }`;
const PROFILE = `query ($externalId: String!) {
  recipient(externalId: $externalId) { externalId email devices { token state } preferences { channel category enabled } quietHours { start end timezone } }
}`;
const RECURRING = `mutation ($input: CreateRecurringScheduleInput!) { createRecurringSchedule(input: $input) { id active } }`;
const CANCEL_RECURRING = `mutation ($id: ID!) { cancelRecurringSchedule(id: $id) { id active } }`;
const SCHEDULES = `query ($externalId: String!) { recurringSchedules(externalId: $externalId) { id active } }`;

const later = (ms = 3_600_000) => new Date(Date.now() + ms).toISOString();
const apnsToken = () => randomBytes(32).toString("hex");

describe("recipient tokens: a client app acts as its own recipient, and nothing else", () => {
  let stack: Stack;
  let key: KeyPair;
  let otherApp: KeyPair;
  const gql = (query: string, variables: Record<string, unknown> = {}) => stack.graphql(key, query, variables);

  /** A GraphQL call as a client app holding only a recipient token. */
  const asToken = (token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> => stack.graphql({ token }, query, variables);
  async function issue(externalId: string, ttlSeconds = 600, as: KeyPair = key): Promise<string> {
    return ok(await stack.graphql(as, ISSUE, { externalId, ttlSeconds })).issueRecipientToken.token;
  }

  // Bob's things, made with the app's credentials, which Alice's token must not reach.
  const bob = { notificationId: "", deviceToken: apnsToken(), scheduleId: "" };
  let aliceToken: string;

  before(async () => {
    stack = await Stack.start();
    key = stack.createKeyPair("tokens");
    otherApp = stack.createKeyPair("other-app");
    for (const externalId of ["alice", "bob"]) ok(await gql(UPSERT, { input: { externalId, email: `${externalId}@example.com`, timezone: "Europe/Madrid" } }));
    // The other app has an "alice" too: a token is only ever about its own app's recipient.
    ok(await stack.graphql(otherApp, UPSERT, { input: { externalId: "alice", email: "other-alice@example.com" } }));

    bob.notificationId = ok(await gql(SEND, { input: { externalId: "bob", channels: ["EMAIL"], content: { subject: "Bob's", body: "…" }, sendAt: later() } })).sendNotification
      .notifications[0].id;
    ok(await gql(DEVICE, { input: { externalId: "bob", platform: "IOS", token: bob.deviceToken } }));
    bob.scheduleId = ok(
      await gql(RECURRING, { input: { externalId: "bob", cron: "0 9 * * *", timezone: "Europe/Madrid", request: { channels: ["EMAIL"], content: { subject: "Daily", body: "…" } } } }),
    ).createRecurringSchedule.id;
    // Tokens send only templates the app marked client-sendable (never inline content).
    ok(await gql(`mutation { createTemplate(input: { key: "reminder", name: "Reminder", category: "account", clientSendable: true,
      content: [{ locale: "en", email: { subject: "Reminder", text: "Don't forget" } }] }) { key } }`));
    ok(await gql(`mutation { publishTemplate(key: "reminder") { version } }`));
    aliceToken = await issue("alice");
  });
  after(() => stack?.stop());

  test("issuing needs the app's credentials, a known recipient and a TTL of at most an hour", async () => {
    const issued = ok(await gql(ISSUE, { externalId: "alice", ttlSeconds: 300 })).issueRecipientToken;
    const expiresIn = new Date(issued.expiresAt).getTime() - Date.now();
    assert.ok(expiresIn > 290_000 && expiresIn <= 300_000, `expires in ${expiresIn} ms`);
    assert.equal(issued.token.split(".").length, 3, "a JWT");
    for (const ttlSeconds of [0, 3601]) rejected(await gql(ISSUE, { externalId: "alice", ttlSeconds }), { code: "BAD_USER_INPUT", reason: "INVALID_TTL", field: "ttlSeconds" });
    rejected(await gql(ISSUE, { externalId: "nobody" }), { code: "NOT_FOUND" });
    const noCredentials = await stack.graphql(null, ISSUE, { externalId: "alice" });
    rejected(noCredentials, { code: "UNAUTHENTICATED" });
  });

  test("with its token a client app schedules, reschedules and cancels its recipient's notifications and reads their history", async () => {
    const scheduled = ok(await asToken(aliceToken, SEND, { input: { externalId: "alice", channels: ["EMAIL"], template: { key: "reminder" }, sendAt: later() } }))
      .sendNotification.notifications[0];
    assert.equal(scheduled.status, "PENDING");
    const tomorrow = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Madrid", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(Date.now() + 86_400_000));
    const moved = ok(await asToken(aliceToken, RESCHEDULE, { id: scheduled.id, input: { sendAtLocal: { date: tomorrow, time: "09:00" } } })).rescheduleNotification;
    assert.equal(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Madrid", hour: "2-digit", minute: "2-digit" }).format(new Date(moved.scheduledAt)), "09:00");
    const soon = later(2 * 3_600_000);
    assert.equal(ok(await asToken(aliceToken, RESCHEDULE, { id: scheduled.id, input: { sendAt: soon } })).rescheduleNotification.scheduledAt, soon);
    assert.equal(ok(await asToken(aliceToken, CANCEL, { id: scheduled.id })).cancelNotification.status, "CANCELED");

    const now = ok(await asToken(aliceToken, SEND, { input: { externalId: "alice", channels: ["EMAIL"], template: { key: "reminder" } } })).sendNotification.notifications[0];
    await stack.eventually(() => stack.db.notification.findUniqueOrThrow({ where: { id: now.id } }), (n) => ["SENT", "DELIVERED"].includes(n.status));
    assert.ok(ok(await asToken(aliceToken, NOTIFICATION, { id: now.id })).notification);
    const history = ok(await asToken(aliceToken, HISTORY, { externalId: "alice" })).deliveryHistory as { id: string; recipient: { externalId: string } }[];
    assert.deepEqual(history.map((h) => h.id).sort(), [scheduled.id, now.id].sort());
    assert.ok(history.every((h) => h.recipient.externalId === "alice"));
  });

  test("with its token a client app manages its recipient's preferences, quiet hours, devices and recurring schedules", async () => {
    assert.deepEqual(ok(await asToken(aliceToken, SET_PREF, { externalId: "alice", channel: "EMAIL", category: "marketing", enabled: false })).setPreference, {
      channel: "EMAIL",
      category: "marketing",
      enabled: false,
    });
    assert.deepEqual(ok(await asToken(aliceToken, PREFS, { externalId: "alice" })).preferences, [{ channel: "EMAIL", category: "marketing", enabled: false }]);
    ok(await asToken(aliceToken, QUIET, { externalId: "alice" }));

    const token = apnsToken();
    assert.equal(ok(await asToken(aliceToken, DEVICE, { input: { externalId: "alice", platform: "IOS", token } })).registerDevice.state, "ACTIVE");
    const profile = ok(await asToken(aliceToken, PROFILE, { externalId: "alice" })).recipient;
    assert.deepEqual(profile, {
      externalId: "alice",
      email: "alice@example.com",
      devices: [{ token, state: "ACTIVE" }],
      preferences: [{ channel: "EMAIL", category: "marketing", enabled: false }],
      quietHours: { start: "22:00", end: "07:00", timezone: "Europe/Madrid" },
    });
    const gone = ok(await asToken(aliceToken, UNREGISTER, { input: { externalId: "alice", platform: "IOS", token } })).unregisterDevice;
    assert.deepEqual([gone.state, gone.invalidReason], ["INVALID", "unregistered"]);
    ok(await asToken(aliceToken, CLEAR_QUIET, { externalId: "alice" }));

    const schedule = ok(
      await asToken(aliceToken, RECURRING, {
        input: { externalId: "alice", cron: "30 8 * * MON-FRI", timezone: "Europe/Madrid", request: { channels: ["EMAIL"], template: { key: "reminder" } } },
      }),
    ).createRecurringSchedule;
    assert.deepEqual(ok(await asToken(aliceToken, SCHEDULES, { externalId: "alice" })).recurringSchedules, [{ id: schedule.id, active: true }]);
    assert.equal(ok(await asToken(aliceToken, CANCEL_RECURRING, { id: schedule.id })).cancelRecurringSchedule.active, false);
  });

  test("another recipient's data is out of reach: FORBIDDEN for every operation, and nothing of theirs changes", async () => {
    const snapshot = async () => ({
      notification: (await stack.db.notification.findUniqueOrThrow({ where: { id: bob.notificationId } })).status,
      scheduledAt: (await stack.db.notification.findUniqueOrThrow({ where: { id: bob.notificationId } })).scheduledAt?.toISOString(),
      notifications: await stack.db.notification.count({ where: { recipient: { externalId: "bob" } } }),
      preferences: await stack.db.preference.count({ where: { recipient: { externalId: "bob" } } }),
      device: (await stack.db.device.findFirstOrThrow({ where: { token: bob.deviceToken } })).state,
      devices: await stack.db.device.count({ where: { recipient: { externalId: "bob" } } }),
      schedule: (await stack.db.recurringSchedule.findUniqueOrThrow({ where: { id: bob.scheduleId } })).active,
      schedules: await stack.db.recurringSchedule.count({ where: { recipient: { externalId: "bob" } } }),
      quiet: (await stack.db.recipient.findFirstOrThrow({ where: { externalId: "bob", appId: key.appId } })).quietStartMinute,
    });
    const before = await snapshot();
    const attempts: [string, string, Record<string, unknown>][] = [
      ["sendNotification", SEND, { input: { externalId: "bob", channels: ["EMAIL"], content: { subject: "x", body: "y" } } }],
      ["sendNotification (scheduled)", SEND, { input: { externalId: "bob", channels: ["EMAIL"], content: { subject: "x", body: "y" }, sendAt: later() } }],
      ["notification", NOTIFICATION, { id: bob.notificationId }],
      ["deliveryHistory", HISTORY, { externalId: "bob" }],
      ["cancelNotification", CANCEL, { id: bob.notificationId }],
      ["rescheduleNotification", RESCHEDULE, { id: bob.notificationId, input: { sendAt: later(60_000) } }],
      ["setPreference", SET_PREF, { externalId: "bob", channel: "ALL", category: "*", enabled: false }],
      ["preferences", PREFS, { externalId: "bob" }],
      ["setQuietHours", QUIET, { externalId: "bob" }],
      ["registerDevice", DEVICE, { input: { externalId: "bob", platform: "IOS", token: apnsToken() } }],
      ["unregisterDevice", UNREGISTER, { input: { externalId: "bob", platform: "IOS", token: bob.deviceToken } }],
      ["recipient", PROFILE, { externalId: "bob" }],
      ["createRecurringSchedule", RECURRING, { input: { externalId: "bob", cron: "* * * * *", timezone: "UTC", request: { channels: ["EMAIL"], content: { subject: "x", body: "y" } } } }],
      ["cancelRecurringSchedule", CANCEL_RECURRING, { id: bob.scheduleId }],
      ["recurringSchedules", SCHEDULES, { externalId: "bob" }],
      // Ids that do not exist, or are not ids at all, answer the same: no probing for what exists.
      ["notification (unknown id)", NOTIFICATION, { id: "00000000-0000-4000-8000-000000000000" }],
      ["cancelNotification (not a uuid)", CANCEL, { id: "not-a-uuid" }],
    ];
    for (const [label, query, variables] of attempts) {
      const res = await asToken(aliceToken, query, variables);
      assert.ok(res.errors?.length, `${label}: expected FORBIDDEN, got ${JSON.stringify(res.data)}`);
      assert.equal(res.errors[0]!.extensions?.code, "FORBIDDEN", `${label}: ${JSON.stringify(res.errors)}`);
    }
    assert.deepEqual(await snapshot(), before, "nothing of Bob's changed");

    // The other app's "alice" is a different person: Alice's token cannot see her notifications.
    const elsewhere = ok(await stack.graphql(otherApp, SEND, { input: { externalId: "alice", channels: ["EMAIL"], content: { subject: "x", body: "y" }, sendAt: later() } }))
      .sendNotification.notifications[0];
    rejected(await asToken(aliceToken, NOTIFICATION, { id: elsewhere.id }), { code: "FORBIDDEN" });
    rejected(await asToken(aliceToken, CANCEL, { id: elsewhere.id }), { code: "FORBIDDEN" });
    assert.ok(!(ok(await asToken(aliceToken, HISTORY, { externalId: "alice" })).deliveryHistory as { id: string }[]).some((h) => h.id === elsewhere.id));
    assert.equal((await stack.db.notification.findUniqueOrThrow({ where: { id: elsewhere.id } })).status, "PENDING");
  });

  test("the app's own operations are closed to recipient tokens: FORBIDDEN", async () => {
    const adminOnly: [string, string, Record<string, unknown>][] = [
      ["upsertRecipient (own)", UPSERT, { input: { externalId: "alice", email: "hijack@example.com" } }],
      ["issueRecipientToken", ISSUE, { externalId: "alice" }],
      ["issueRecipientToken (other)", ISSUE, { externalId: "bob" }],
      ["createTemplate", `mutation { createTemplate(input: { key: "t", name: "t", category: "c", content: [{ locale: "en", sms: { text: "x" } }] }) { key } }`, {}],
      ["publishTemplate", `mutation { publishTemplate(key: "t") { version } }`, {}],
      ["templates", `query { templates { key } }`, {}],
      ["previewTemplate", `query { previewTemplate(key: "t", channel: SMS) { locale } }`, {}],
      ["upsertCategory", `mutation { upsertCategory(key: "security", required: false) { key } }`, {}],
      ["categories", `query { categories { key } }`, {}],
    ];
    for (const [label, query, variables] of adminOnly) {
      const res = await asToken(aliceToken, query, variables);
      assert.equal(res.errors?.[0]?.extensions?.code, "FORBIDDEN", `${label}: ${JSON.stringify(res.errors ?? res.data)}`);
    }
    assert.equal((await stack.db.recipient.findFirstOrThrow({ where: { externalId: "alice", appId: key.appId } })).email, "alice@example.com");
    assert.equal(await stack.db.template.count({ where: { key: "t" } }), 0);
  });

  test("forged, tampered, expired and revoked tokens are UNAUTHENTICATED (HTTP 401)", async () => {
    const [header, payload, signature] = aliceToken.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const forge = (h: unknown, p: unknown, secret: string) => {
      const signed = `${b64(h)}.${b64(p)}`;
      return `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
    };
    const decodedHeader = JSON.parse(Buffer.from(header!, "base64url").toString());
    const bad: [string, string][] = [
      ["subject changed to bob, signature kept", `${header}.${b64({ ...claims, sub: "bob" })}.${signature}`],
      ["signed with a guessed key", forge(decodedHeader, { ...claims, sub: "bob" }, "guess")],
      ["alg none", `${b64({ alg: "none", typ: "JWT" })}.${b64({ ...claims, sub: "bob" })}.`],
      ["garbage", "not-a-token"],
    ];
    for (const [label, token] of bad) {
      const res = await asToken(token, HISTORY, { externalId: "alice" });
      assert.equal(res.status, 401, label);
      assert.equal(res.errors?.[0]?.extensions?.code, "UNAUTHENTICATED", label);
    }

    const shortLived = await issue("alice", 1);
    assert.ok(ok(await asToken(shortLived, PREFS, { externalId: "alice" })));
    await new Promise((r) => setTimeout(r, 2_100));
    rejected(await asToken(shortLived, PREFS, { externalId: "alice" }), { code: "UNAUTHENTICATED" });

    // Revoking the API key that issued a token revokes the token.
    const revocable = await issue("alice", 600, otherApp);
    ok(await asToken(revocable, PREFS, { externalId: "alice" }));
    await stack.db.apiKey.update({ where: { appKey: otherApp.appKey }, data: { revokedAt: new Date() } });
    rejected(await asToken(revocable, PREFS, { externalId: "alice" }), { code: "UNAUTHENTICATED" });
  });
});
