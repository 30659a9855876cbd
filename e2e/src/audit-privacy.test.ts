import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ok, rejected } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id status } replayed } }`;
const AUDIT = `query ($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) { entries { id action actorType actorId actorLabel targetType targetId summary sourceIp createdAt } nextCursor }
}`;
const DELETE = `mutation ($externalId: String!) {
  deleteRecipient(externalId: $externalId) { externalId notificationsErased notificationsCanceled devicesDeleted preferencesDeleted topicSubscriptionsDeleted schedulesDeleted }
}`;
const STATS = `query ($key: String!) { templateStats(key: $key) { total byStatus { status count } opened clicked } }`;

type Entry = { id: string; action: string; actorType: string; actorId: string | null; actorLabel: string | null; targetId: string | null; summary: any; sourceIp: string | null };

describe("audit log and deleteRecipient", () => {
  let stack: Stack;
  let key: KeyPair;
  let apiKeyId: string;
  const gql = (query: string, variables: Record<string, unknown> = {}) => stack.graphql(key, query, variables);
  const audit = async (filter: Record<string, unknown>, first = 50): Promise<Entry[]> => ok(await gql(AUDIT, { filter, first })).auditLog.entries;

  before(async () => {
    stack = await Stack.start();
    key = stack.createKeyPair("audit");
    apiKeyId = (await stack.db.apiKey.findUniqueOrThrow({ where: { appKey: key.appKey } })).id;
  });
  after(() => stack?.stop());

  describe("audit log", () => {
    test("template create, update, draft edit, publish and restore each write a row naming the key, its address and a before/after summary", async () => {
      const content = (subject: string) => [{ locale: "en", email: { subject, text: "body" } }];
      ok(await gql(`mutation ($content: [TemplateLocaleContentInput!]!) { createTemplate(input: { key: "welcome", name: "Welcome", category: "account", content: $content }) { key } }`, { content: content("v1") }));
      ok(await gql(`mutation { publishTemplate(key: "welcome") { version } }`));
      ok(await gql(`mutation ($content: [TemplateLocaleContentInput!]!) { updateTemplateDraft(key: "welcome", content: $content) { version } }`, { content: content("v2") }));
      ok(await gql(`mutation { publishTemplate(key: "welcome") { version } }`));
      ok(await gql(`mutation { restoreTemplateVersion(key: "welcome", version: 1) { version } }`));
      ok(await gql(`mutation { updateTemplate(key: "welcome", input: { clientSendable: true }) { key } }`));

      const rows = (await audit({ targetId: "welcome" })).reverse();
      assert.deepEqual(
        rows.map((r) => r.action),
        ["template.create", "template.publish", "template.update_draft", "template.publish", "template.restore", "template.update"],
      );
      for (const r of rows) {
        assert.deepEqual([r.actorType, r.actorId, r.actorLabel], ["api_key", apiKeyId, key.appKey]);
        assert.match(r.sourceIp ?? "", /127\.0\.0\.1$/);
      }
      assert.deepEqual(rows[1]!.summary, { before: { publishedVersion: null }, after: { publishedVersion: 1 } });
      assert.deepEqual(rows[2]!.summary, { before: { version: 1, state: "PUBLISHED" }, after: { version: 2, state: "DRAFT" }, changed: ["content"] });
      assert.deepEqual(rows[3]!.summary, { before: { publishedVersion: 1 }, after: { publishedVersion: 2 } });
      assert.deepEqual(rows[4]!.summary, { restoredFrom: 1, before: { version: 2, state: "PUBLISHED" }, after: { version: 3, state: "DRAFT" } });
      assert.deepEqual(rows[5]!.summary, { before: { clientSendable: false }, after: { clientSendable: true } });
      // A refused change writes no row.
      rejected(await gql(`mutation { publishTemplate(key: "welcome", version: 99) { version } }`), { code: "NOT_FOUND" });
      assert.equal((await audit({ targetId: "welcome" })).length, rows.length);
    });

    test("a dead-letter replay is audited with what it replayed; an app key's preference edit is not support's", async () => {
      ok(await gql(UPSERT, { input: { externalId: "dana", email: "dana@example.com" } }));
      const [n] = ok(await gql(SEND, { input: { externalId: "dana", channels: ["EMAIL"], content: { subject: "x", body: "y" }, sendAt: new Date(Date.now() + 86_400_000).toISOString() } }))
        .sendNotification.notifications;
      await stack.db.notification.update({ where: { id: n.id }, data: { status: "DEAD", deadLetteredAt: new Date() } });
      ok(await gql(`mutation ($id: ID!) { replayDeadLetters(input: { id: $id }) { replayed } }`, { id: n.id }));
      const [row] = await audit({ action: "dead_letter.replay" });
      assert.equal(row!.targetId, n.id);
      assert.deepEqual(row!.summary.after, { replayed: 1, remaining: 0 });

      ok(await gql(`mutation { setPreference(externalId: "dana", channel: EMAIL, enabled: false) { enabled } }`));
      assert.deepEqual(await audit({ action: "preference.set_by_support" }), []);
    });

    test("filters, pagination and bad arguments", async () => {
      const all = await audit({});
      assert.equal(all.length, 7, "six template changes and one replay");
      const page1 = ok(await gql(AUDIT, { first: 3 })).auditLog;
      const page2 = ok(await gql(AUDIT, { first: 3, after: page1.nextCursor })).auditLog;
      assert.deepEqual([...page1.entries, ...page2.entries].map((e: Entry) => e.id), all.slice(0, 6).map((e) => e.id));
      assert.equal((await audit({ action: "template.publish" })).length, 2);
      assert.equal((await audit({ actorId: apiKeyId })).length, all.length);
      assert.deepEqual(await audit({ until: "2000-01-01T00:00:00Z" }), []);
      assert.equal((await audit({ since: new Date(Date.now() - 3_600_000).toISOString() })).length, all.length);
      rejected(await gql(AUDIT, { after: "not-a-cursor" }), { code: "BAD_USER_INPUT", reason: "INVALID_CURSOR", field: "after" });
      rejected(await gql(AUDIT, { first: 1000 }), { code: "BAD_USER_INPUT", reason: "INVALID_PAGE_SIZE" });
      // Another app sees none of these rows.
      const other = stack.createKeyPair("other");
      assert.deepEqual(ok(await stack.graphql(other, AUDIT, {})).auditLog.entries, []);
      // A recipient token cannot read it.
      const token = ok(await gql(`mutation { issueRecipientToken(externalId: "dana") { token } }`)).issueRecipientToken.token;
      assert.equal((await stack.graphql({ token }, AUDIT)).errors?.[0]?.extensions?.code, "FORBIDDEN");
    });

    test("Postgres itself refuses UPDATE, DELETE and TRUNCATE on the audit log", async () => {
      const before = await stack.db.auditLog.findMany({ orderBy: { id: "asc" } });
      assert.ok(before.length > 0);
      for (const sql of [`UPDATE "AuditLog" SET action = 'nothing.happened'`, `UPDATE "AuditLog" SET summary = NULL WHERE id = ${before[0]!.id}`, `DELETE FROM "AuditLog"`, `TRUNCATE "AuditLog"`]) {
        await assert.rejects(stack.db.$executeRawUnsafe(sql), /append-only/, sql);
      }
      assert.deepEqual(await stack.db.auditLog.findMany({ orderBy: { id: "asc" } }), before);
    });
  });

  describe("deleteRecipient", () => {
    const email = `erin-${randomBytes(4).toString("hex")}@example.com`;
    const phone = `+1415555${String(1000 + Math.floor(Math.random() * 8000))}`;
    const deviceToken = randomBytes(32).toString("hex");

    /** Rows in any table whose text contains `needle` (every column of every table, as Postgres renders the row). */
    async function rowsContaining(needle: string): Promise<Record<string, number>> {
      const tables = await stack.db.$queryRawUnsafe<{ name: string }[]>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      const found: Record<string, number> = {};
      for (const { name } of tables) {
        const [{ n }] = await stack.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${name}" t WHERE t::text LIKE $1`, `%${needle}%`);
        if (n) found[name] = n;
      }
      return found;
    }

    test("erases contact points, devices, preferences, schedules, subscriptions and content; counts stay; audited; a later send starts afresh", async () => {
      ok(await gql(UPSERT, { input: { externalId: "erin", email, phone, timezone: "Europe/Madrid", locale: "en" } }));
      ok(await gql(`mutation { registerDevice(input: { externalId: "erin", platform: IOS, token: "${deviceToken}" }) { id } }`));
      ok(await gql(`mutation { setPreference(externalId: "erin", channel: SMS, category: "marketing", enabled: false) { enabled } }`));
      ok(await gql(`mutation { setQuietHours(externalId: "erin", start: "23:00", end: "06:00") { id } }`));
      ok(await gql(`mutation { subscribeToTopic(topicKey: "news", externalIds: ["erin"]) { changed } }`));
      ok(await gql(`mutation { createTemplate(input: { key: "receipt", name: "Receipt", category: "account",
        content: [{ locale: "en", email: { subject: "Receipt for {{ name }}", text: "Paid by {{ name }}" }, sms: { text: "Paid, {{ name }}" } }],
        variables: [{ name: "name", type: STRING }] }) { key } }`));
      ok(await gql(`mutation { publishTemplate(key: "receipt") { version } }`));
      ok(await gql(`mutation { createRecurringSchedule(input: { externalId: "erin", cron: "0 9 * * *", timezone: "UTC", request: { channels: [EMAIL], content: { subject: "Daily for ${email}", body: "…" } } }) { id } }`));
      const sent = ok(await gql(SEND, { input: { externalId: "erin", channels: ["EMAIL", "SMS"], template: { key: "receipt", data: { name: "Erin Example" } }, idempotencyKey: "erin-receipt-1", data: { phone }, urgent: true } }))
        .sendNotification.notifications as { id: string }[];
      const scheduled = ok(await gql(SEND, { input: { externalId: "erin", channels: ["EMAIL"], content: { subject: `Later, ${email}`, body: "…" }, sendAt: new Date(Date.now() + 86_400_000).toISOString() } }))
        .sendNotification.notifications[0];
      for (const { id } of sent) await stack.eventually(() => stack.db.notification.findUniqueOrThrow({ where: { id } }), (n) => ["SENT", "DELIVERED"].includes(n.status));
      // Let the providers' delivery callbacks land, so nothing writes about Erin after the erasure.
      await new Promise((r) => setTimeout(r, 1_500));

      const statsBefore = ok(await gql(STATS, { key: "receipt" })).templateStats;
      const appNotifications = await stack.db.notification.count({ where: { appId: key.appId } });
      assert.ok(Object.keys(await rowsContaining(email)).length >= 2, "the email is stored before");
      assert.ok(Object.keys(await rowsContaining(phone)).length >= 2, "the phone is stored before");
      assert.ok(Object.keys(await rowsContaining("Erin Example")).length >= 1, "rendered content is stored before");

      const erased = ok(await gql(DELETE, { externalId: "erin" })).deleteRecipient;
      assert.deepEqual(erased, {
        externalId: "erin",
        notificationsErased: 3,
        notificationsCanceled: 1,
        devicesDeleted: 1,
        preferencesDeleted: 1,
        topicSubscriptionsDeleted: 1,
        schedulesDeleted: 1,
      });

      for (const needle of [email, phone, deviceToken, "Erin Example"]) assert.deepEqual(await rowsContaining(needle), {}, `rows still holding ${needle}`);
      assert.equal((await stack.db.notification.findUniqueOrThrow({ where: { id: scheduled.id } })).status, "CANCELED");
      assert.deepEqual(ok(await gql(STATS, { key: "receipt" })).templateStats, statsBefore, "templateStats unchanged");
      assert.equal(await stack.db.notification.count({ where: { appId: key.appId } }), appNotifications, "anonymous notifications kept");
      const kept = await stack.db.notification.findUniqueOrThrow({ where: { id: sent[0]!.id }, include: { recipient: true } });
      assert.deepEqual([kept.content, kept.data, kept.idempotencyKey], [{}, null, null]);
      assert.match(kept.recipient.externalId, /^erased:[0-9a-f-]{36}$/);
      assert.deepEqual([kept.recipient.email, kept.recipient.phone, kept.recipient.timezone, kept.recipient.quietStartMinute], [null, null, null, null]);

      const [row] = await audit({ action: "recipient.delete" });
      assert.equal(row!.targetId, "erin");
      assert.equal(row!.summary.after.notificationsErased, 3);
      assert.ok(!JSON.stringify(row).includes(email));

      // Unknown now; erasing again is NOT_FOUND; an upsert makes a new recipient with nothing of the old.
      rejected(await gql(`query { recipient(externalId: "erin") { id } }`), { code: "NOT_FOUND" });
      rejected(await gql(SEND, { input: { externalId: "erin", channels: ["EMAIL"], content: { subject: "x", body: "y" } } }), { code: "NOT_FOUND" });
      rejected(await gql(DELETE, { externalId: "erin" }), { code: "NOT_FOUND" });
      ok(await gql(UPSERT, { input: { externalId: "erin", email: "new-erin@example.com" } }));
      const fresh = ok(await gql(`query { recipient(externalId: "erin") { devices { id } preferences { channel } quietHours { start } } deliveryHistory(externalId: "erin") { id } recurringSchedules(externalId: "erin") { id } }`));
      assert.deepEqual(fresh, { recipient: { devices: [], preferences: [], quietHours: null }, deliveryHistory: [], recurringSchedules: [] });
      // The old idempotency key is forgotten with the rest: the same request is a new send, not a replay.
      const again = ok(await gql(SEND, { input: { externalId: "erin", channels: ["EMAIL"], template: { key: "receipt", data: { name: "Erin Example" } }, idempotencyKey: "erin-receipt-1", data: { phone }, urgent: true } }))
        .sendNotification;
      assert.equal(again.replayed, false);
    });
  });
});
