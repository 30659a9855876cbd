import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ok, rejected } from "./harness/gql.js";
import { Stack, type GraphQLResponse, type KeyPair } from "./harness/stack.js";

// Issue 9, holes 5 and 6, performed as an attacker holding a recipient token would.
const PER_TOKEN = 5;
const PER_RECIPIENT = 8;

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const ISSUE = `mutation ($externalId: String!) { issueRecipientToken(externalId: $externalId, ttlSeconds: 600) { token } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id status } } }`;
const RECURRING = `mutation ($input: CreateRecurringScheduleInput!) { createRecurringSchedule(input: $input) { id active createdByToken } }`;
const CANCEL_RECURRING = `mutation ($id: ID!) { cancelRecurringSchedule(id: $id) { id active } }`;

describe("recipient tokens cannot run up the bill or read what was not sent to them", () => {
  let stack: Stack;
  let key: KeyPair;
  let phoneSeq = 0;
  const gql = (query: string, variables: Record<string, unknown> = {}) => stack.graphql(key, query, variables);

  const asToken = (token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> => stack.graphql({ token }, query, variables);
  /** A fresh recipient with its own phone, so each attack has budgets of its own. */
  async function recipient(name: string): Promise<{ externalId: string; phone: string }> {
    const r = { externalId: name, phone: `+1415555${String(2000 + phoneSeq++).padStart(4, "0")}` };
    ok(await gql(UPSERT, { input: { ...r, email: `${name}@example.com`, timezone: "UTC" } }));
    return r;
  }
  const issue = async (externalId: string) => ok(await gql(ISSUE, { externalId })).issueRecipientToken.token as string;
  const smsSend = (externalId: string) => ({ input: { externalId, channels: ["SMS"], template: { key: "code" } } });
  const twilioCount = (phone: string) => stack.sandbox.recorder.list({ provider: "twilio", target: phone }).length;

  before(async () => {
    stack = await Stack.start({ env: { RECIPIENT_TOKEN_SENDS_PER_MINUTE: String(PER_TOKEN), RECIPIENT_TOKEN_SENDS_PER_HOUR: String(PER_RECIPIENT) } });
    key = stack.createKeyPair("token-abuse");
    // "code" is the one template the app lets client apps send; "internal" is not client-sendable.
    ok(await gql(`mutation { createTemplate(input: { key: "code", name: "Code", category: "account", clientSendable: true,
      content: [{ locale: "en", sms: { text: "Your code is 1234" }, email: { subject: "Code", text: "1234" } }] }) { key } }`));
    ok(await gql(`mutation { createTemplate(input: { key: "internal", name: "Internal", category: "account",
      content: [{ locale: "en", sms: { text: "Internal" }, email: { subject: "Internal", text: "x" } }] }) { key } }`));
    for (const t of ["code", "internal"]) ok(await gql(`mutation { publishTemplate(key: "${t}") { version } }`));
  });
  after(() => stack?.stop());

  test("30 sends from one token in a burst: the first 5 are accepted, the other 25 are RATE_LIMITED", async () => {
    const { externalId } = await recipient("burst");
    const token = await issue(externalId);
    const answers = await Promise.all(Array.from({ length: 30 }, () => asToken(token, SEND, smsSend(externalId))));
    const accepted = answers.filter((a) => !a.errors);
    const limited = answers.filter((a) => a.errors?.[0]?.extensions?.code === "RATE_LIMITED");
    assert.equal(accepted.length, PER_TOKEN, JSON.stringify(answers.filter((a) => a.errors && a.errors[0]?.extensions?.code !== "RATE_LIMITED")));
    assert.equal(limited.length, 30 - PER_TOKEN);
    assert.ok(limited.every((a) => a.errors![0]!.extensions!.retryAfterMs > 0));
    assert.equal(await stack.db.notification.count({ where: { recipient: { externalId } } }), PER_TOKEN);
  });

  test("aliased sendNotification(SMS) in one request: 50 are refused before anything runs, 25 send at most the per-token limit", async () => {
    const { externalId, phone } = await recipient("aliases");
    const token = await issue(externalId);
    const aliased = (n: number) =>
      `mutation ($input: SendNotificationInput!) {\n${Array.from({ length: n }, (_, i) => `s${i}: sendNotification(input: $input) { notifications { id } }`).join("\n")}\n}`;
    // Over the document's alias limit (API_MAX_ALIASES, 30): refused whole at validation.
    rejected(await asToken(token, aliased(50), smsSend(externalId)), { code: "GRAPHQL_VALIDATION_FAILED" });
    assert.equal(await stack.db.notification.count({ where: { recipient: { externalId } } }), 0);
    // Within it, each alias is one counted send.
    const res = await asToken(token, aliased(25), smsSend(externalId));
    // The 6th alias is refused; sendNotification is non-null, so GraphQL stops the serial mutation
    // there and answers data: null. Either way: 5 notifications exist, the rest were never sent.
    assert.ok(res.errors?.length);
    assert.ok(res.errors.every((e) => e.extensions?.code === "RATE_LIMITED"), JSON.stringify(res.errors));
    assert.equal(await stack.db.notification.count({ where: { recipient: { externalId } } }), PER_TOKEN);
    // Partly accepted: not a 429, or a client retrying the request would send the accepted ones twice.
    assert.equal(res.status, 200);
    await stack.eventually(async () => twilioCount(phone), (n) => n >= PER_TOKEN);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(twilioCount(phone), PER_TOKEN, "SMS at the Twilio simulator");
  });

  test("fresh tokens for the same recipient share its hourly budget", async () => {
    const { externalId } = await recipient("many-tokens");
    let accepted = 0;
    for (let t = 0; t < 3; t++) {
      const token = await issue(externalId);
      for (let i = 0; i < PER_TOKEN; i++) if (!(await asToken(token, SEND, smsSend(externalId))).errors) accepted++;
    }
    assert.equal(accepted, PER_RECIPIENT);
  });

  test("inline content (phishing HTML from the platform's sender) and templates not marked client-sendable are FORBIDDEN, and nothing is written", async () => {
    const { externalId } = await recipient("phish");
    const token = await issue(externalId);
    const html = `<p>Your account is locked. <a href="https://evil.example/login">Sign in</a></p>`;
    rejected(await asToken(token, SEND, { input: { externalId, channels: ["EMAIL"], content: { subject: "Security alert", html } } }), { code: "FORBIDDEN", reason: "INLINE_CONTENT" });
    rejected(await asToken(token, SEND, { input: { externalId, channels: ["SMS"], content: { body: "Call +1 900 555 0100 now" } } }), { code: "FORBIDDEN", reason: "INLINE_CONTENT" });
    rejected(await asToken(token, SEND, { input: { externalId, channels: ["SMS"], template: { key: "internal" } } }), { code: "FORBIDDEN", reason: "TEMPLATE_NOT_CLIENT_SENDABLE" });
    // An unknown key answers the same as an existing one: no probing for template names.
    rejected(await asToken(token, SEND, { input: { externalId, channels: ["SMS"], template: { key: "nope" } } }), { code: "FORBIDDEN", reason: "TEMPLATE_NOT_CLIENT_SENDABLE" });
    rejected(
      await asToken(token, RECURRING, { input: { externalId, cron: "0 9 * * *", timezone: "UTC", request: { channels: ["EMAIL"], content: { subject: "x", html } } } }),
      { code: "FORBIDDEN", reason: "INLINE_CONTENT" },
    );
    assert.equal(await stack.db.notification.count({ where: { recipient: { externalId } } }), 0);
    assert.equal(await stack.db.recurringSchedule.count({ where: { recipient: { externalId } } }), 0);
    // The app's own key still sends inline content; the admin can open a template to tokens.
    ok(await gql(SEND, { input: { externalId, channels: ["EMAIL"], content: { subject: "From the app", html: "<p>ok</p>" } } }));
    assert.equal(ok(await gql(`mutation { updateTemplate(key: "internal", input: { clientSendable: true }) { clientSendable } }`)).updateTemplate.clientSendable, true);
    ok(await asToken(token, SEND, { input: { externalId, channels: ["SMS"], template: { key: "internal" } } }));
    ok(await gql(`mutation { updateTemplate(key: "internal", input: { clientSendable: false }) { key } }`));
  });

  test("a token's cron firing every second (or every 30 minutes) is BAD_USER_INPUT; hourly is accepted and marked as made by a token", async () => {
    const { externalId } = await recipient("cron");
    const token = await issue(externalId);
    const schedule = (cron: string) => ({ input: { externalId, cron, timezone: "Europe/Madrid", request: { channels: ["SMS"], template: { key: "code" } } } });
    for (const cron of ["* * * * * *", "* * * * *", "*/30 * * * *", "0,30 9 * * *"])
      rejected(await asToken(token, RECURRING, schedule(cron)), { code: "BAD_USER_INPUT", reason: "CRON_TOO_FREQUENT", field: "input.cron" });
    assert.equal(await stack.db.recurringSchedule.count({ where: { recipient: { externalId } } }), 0);
    const hourly = ok(await asToken(token, RECURRING, schedule("0 * * * *"))).createRecurringSchedule;
    assert.deepEqual([hourly.active, hourly.createdByToken], [true, true]);
    const row = await stack.db.recurringSchedule.findUniqueOrThrow({ where: { id: hourly.id } });
    assert.ok(row.createdByTokenId, "the schedule records the token that made it");
    // The app's own key is not held to the tokens' floor.
    assert.equal(ok(await gql(RECURRING, schedule("* * * * *"))).createRecurringSchedule.createdByToken, false);
  });

  test("a recipient's 6th active token-made schedule is refused, whichever token asks; canceling one makes room", async () => {
    const { externalId } = await recipient("cap");
    const schedule = (hour: number) => ({ input: { externalId, cron: `0 ${hour} * * *`, timezone: "UTC", request: { channels: ["SMS"], template: { key: "code" } } } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(ok(await asToken(await issue(externalId), RECURRING, schedule(i))).createRecurringSchedule.id);
    const token = await issue(externalId);
    rejected(await asToken(token, RECURRING, schedule(6)), { code: "CONFLICT", reason: "TOO_MANY_SCHEDULES" });
    // 20 aliases in one request fare no better.
    const fields = Array.from({ length: 20 }, (_, i) => `r${i}: createRecurringSchedule(input: $input) { id }`).join("\n");
    const aliased = await asToken(token, `mutation ($input: CreateRecurringScheduleInput!) {\n${fields}\n}`, schedule(7));
    assert.ok(aliased.errors?.length && aliased.errors.every((e) => e.extensions?.code === "CONFLICT"), JSON.stringify(aliased.errors));
    assert.equal(await stack.db.recurringSchedule.count({ where: { recipient: { externalId }, active: true } }), 5);
    ok(await asToken(token, CANCEL_RECURRING, { id: ids[0] }));
    ok(await asToken(token, RECURRING, schedule(8)));
  });

  test("deliveryHistory{templateVersion{template{versions{state content}}}}: the unpublished draft stays unread (FORBIDDEN), what was sent stays readable", async () => {
    const { externalId } = await recipient("drafts");
    ok(await gql(`mutation { createTemplate(input: { key: "promo", name: "Promo", category: "marketing",
      content: [{ locale: "en", email: { subject: "Sale", text: "10% off" } }] }) { key } }`));
    ok(await gql(`mutation { publishTemplate(key: "promo") { version } }`));
    ok(await gql(SEND, { input: { externalId, channels: ["EMAIL"], template: { key: "promo" } } }));
    ok(await gql(`mutation { updateTemplateDraft(key: "promo", content: [{ locale: "en", email: { subject: "UNPUBLISHED SECRET", text: "launch on Friday" } }]) { version } }`));
    const token = await issue(externalId);

    // Small pages, so that the cost limit (which would refuse the first one whole) is not what answers.
    const attacks = [
      `{ deliveryHistory(externalId: "${externalId}", first: 5) { id templateVersion { template { versions { state content } } } } }`,
      `{ deliveryHistory(externalId: "${externalId}", first: 5) { id templateVersion { version state content } } }`,
      `{ deliveryHistory(externalId: "${externalId}", first: 5) { templateVersion { id } } }`,
      `{ deliveryHistory(externalId: "${externalId}", first: 5) { recipient { externalId } alias: templateVersion { template { key publishedVersion { content } } } } }`,
    ];
    for (const query of attacks) {
      const res = await asToken(token, query);
      assert.ok(res.errors?.length, `expected FORBIDDEN for ${query}, got ${JSON.stringify(res.data)}`);
      assert.ok(res.errors.every((e) => e.extensions?.code === "FORBIDDEN"), JSON.stringify(res.errors));
      assert.ok(!JSON.stringify(res).includes("UNPUBLISHED SECRET"), "the draft's content leaked");
      assert.ok(!JSON.stringify(res.data ?? {}).includes("launch on Friday"));
    }
    // What was sent to the recipient, as rendered, is still theirs to read.
    const [sent] = ok(await asToken(token, `{ deliveryHistory(externalId: "${externalId}", first: 5) { content channel recipient { externalId } events(first: 20) { type } } }`)).deliveryHistory;
    assert.equal(sent.content.subject, "Sale");
    assert.equal(sent.recipient.externalId, externalId);
    // The app's key reads everything, as before.
    const [full] = ok(await gql(`{ deliveryHistory(externalId: "${externalId}") { templateVersion { template { versions { state } } } } }`)).deliveryHistory;
    assert.deepEqual(full.templateVersion.template.versions.map((v: { state: string }) => v.state), ["DRAFT", "PUBLISHED"]);
  });
});
