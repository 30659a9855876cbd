import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ok, rejected } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const DEVICE = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }`;
const CREATE = `mutation ($input: CreateTemplateInput!) { createTemplate(input: $input) { key versions { version state } publishedVersion { version } } }`;
const UPDATE = `mutation ($key: String!, $content: [TemplateLocaleContentInput!], $variables: [TemplateVariableInput!]) {
  updateTemplateDraft(key: $key, content: $content, variables: $variables) { version state }
}`;
const PUBLISH = `mutation ($key: String!, $version: Int) { publishTemplate(key: $key, version: $version) { version state publishedAt } }`;
const RESTORE = `mutation ($key: String!, $version: Int!) { restoreTemplateVersion(key: $key, version: $version) { version state content } }`;
const TEMPLATE = `query ($key: String!) { template(key: $key) { publishedVersion { version } versions { version state content variables { name type required } } } }`;
const PREVIEW = `query ($key: String!, $version: Int, $channel: Channel!, $locale: String, $data: JSONObject) {
  previewTemplate(key: $key, version: $version, channel: $channel, locale: $locale, data: $data) { version channel locale content data }
}`;
const SEND = `mutation ($input: SendNotificationInput!) {
  sendNotification(input: $input) { notifications { id channel status category content data templateVersion { version state } } }
}`;
const NOTIFICATION = `query ($id: ID!) { notification(id: $id) { id status content templateVersion { version state template { key } } } }`;

// One template with typed variables, three locales (pt-BR only for SMS), and content for four channels.
const CONTENT = [
  {
    locale: "en",
    email: {
      subject: "Order {{ orderId }} shipped, {{ name }}",
      html: '<p>Hi {{ name }}, order <b>{{ orderId }}</b> has shipped.{% if trackingUrl %} <a href="{{ trackingUrl }}">Track it</a>{% endif %}</p>',
      text: "Hi {{ name }}, order {{ orderId }} has shipped.",
    },
    sms: { text: "Hi {{ name }}, order {{ orderId }} has shipped." },
    iosPush: { title: "Order {{ orderId }}", body: "On its way, {{ name }}", data: { orderId: "{{ orderId }}" } },
    inApp: { title: "Order {{ orderId }} shipped" },
  },
  { locale: "pt", email: { subject: "Pedido {{ orderId }} enviado", text: "Olá {{ name }}, o pedido {{ orderId }} foi enviado." }, sms: { text: "Olá {{ name }}, pedido {{ orderId }} enviado." } },
  { locale: "pt-BR", sms: { text: "Oi {{ name }}, seu pedido {{ orderId }} foi despachado." } },
];
const VARIABLES = [
  { name: "name", type: "STRING", required: true },
  { name: "orderId", type: "NUMBER", required: true },
  { name: "trackingUrl", type: "URL", required: false },
  { name: "shippedOn", type: "DATE", required: false },
];
const KEY = "order-shipped";

describe("templates: typed variables, escaping, locales, versions, preview, multi-channel sends", () => {
  let stack: Stack;
  let key: KeyPair;
  const gql = (query: string, variables: Record<string, unknown> = {}) => stack.graphql(key, query, variables);
  const phone = () => `+1415555${String(1000 + Math.floor(Math.random() * 8999))}`;

  async function recipient(externalId: string, fields: Record<string, unknown>) {
    ok(await gql(UPSERT, { input: { externalId, ...fields } }));
  }
  async function send(input: Record<string, unknown>) {
    return ok(await gql(SEND, { input })).sendNotification.notifications as Record<string, any>[];
  }
  const settled = (id: string) =>
    stack.eventually(
      () => stack.db.notification.findUniqueOrThrow({ where: { id } }),
      (n) => ["SENT", "DELIVERED", "FAILED", "DEAD", "SKIPPED"].includes(n.status),
      30_000,
    );
  const postmarkTo = (address: string) => stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).filter((r) => r.target === address);
  const twilioTo = (number: string) => stack.sandbox.recorder.list({ provider: "twilio", accepted: true }).filter((r) => r.target === number);
  // What a send writes (provider webhooks may add DELIVERED events to earlier sends at any time).
  const footprint = async () => ({
    notifications: await stack.db.notification.count(),
    accepted: await stack.db.deliveryEvent.count({ where: { type: "ACCEPTED" } }),
    versions: await stack.db.templateVersion.count(),
  });

  before(async () => {
    stack = await Stack.start();
    key = stack.createKeyPair();
    ok(await gql(CREATE, { input: { key: KEY, name: "Order shipped", category: "account", defaultLocale: "en", content: CONTENT, variables: VARIABLES } }));
  });
  after(() => stack?.stop());

  test("a draft is not sendable; publishing makes version 1 the one sends use", async () => {
    await recipient("draft-check", { email: "draft@example.com" });
    const before = await footprint();
    rejected(await gql(SEND, { input: { externalId: "draft-check", channels: ["EMAIL"], template: { key: KEY, data: { name: "A", orderId: 1 } } } }), {
      code: "BAD_USER_INPUT",
      reason: "TEMPLATE_NOT_PUBLISHED",
    });
    assert.deepEqual(await footprint(), before);
    const published = ok(await gql(PUBLISH, { key: KEY })).publishTemplate;
    assert.equal(published.version, 1);
    assert.equal(published.state, "PUBLISHED");
    assert.ok(published.publishedAt);
  });

  test("templates that reach for files, unknown filters, undeclared variables or runaway loops are refused when saved; prototype-probing ones and loops too long for their data when sent", async () => {
    const attempt = (sms: string, variables: unknown[] = [{ name: "name", type: "STRING" }]) =>
      gql(CREATE, { input: { key: `unsafe-${randomBytes(3).toString("hex")}`, name: "x", category: "account", content: [{ locale: "en", sms: { text: sms } }], variables } });
    const before = await footprint();
    rejected(await attempt(`{% include "/etc/passwd" %}`), { code: "BAD_USER_INPUT", reason: "TEMPLATE_SYNTAX", field: "content.en.SMS.text" });
    rejected(await attempt(`{% render "secrets" %}`), { code: "BAD_USER_INPUT", reason: "TEMPLATE_SYNTAX" });
    rejected(await attempt("{{ name | shell }}"), { code: "BAD_USER_INPUT", reason: "TEMPLATE_SYNTAX" });
    const undeclared = rejected(await attempt("Hi {{ nmae }}"), { code: "BAD_USER_INPUT", reason: "TEMPLATE_UNDECLARED_VARIABLE", field: "variables" });
    assert.match(undeclared.message, /nmae \(in en\.SMS\.text\)/);
    assert.deepEqual(await footprint(), before);

    // A loop beyond the render budget is refused when saved (it is tried with sample data).
    const runaway = rejected(await attempt("{% for i in (1..100000000) %}x{% endfor %}"), { code: "BAD_USER_INPUT", reason: "TEMPLATE_TOO_EXPENSIVE", field: "content" });
    assert.match(runaway.message, /^en\.SMS\.text: exceeded the render budget of 1,000,000 memory units/);
    assert.deepEqual(await footprint(), before);

    // Liquid runs no code; reading past the data (a prototype) fails the send, and so does a loop
    // whose length comes from the data and exceeds the budget; neither writes anything.
    await recipient("probe", { phone: phone() });
    const probes = [
      { text: "{{ name.constructor.name }}", data: { name: "x" }, reason: "TEMPLATE_RENDER" },
      { text: "{% for i in (1..n) %}x{% endfor %}", data: { name: "x", n: 100_000_000 }, reason: "TEMPLATE_TOO_EXPENSIVE" },
    ];
    for (const [i, { text, data, reason }] of probes.entries()) {
      const key = `probe-${i}`;
      const variables = [{ name: "name", type: "STRING" }, ...(data.n ? [{ name: "n", type: "NUMBER" }] : [])];
      ok(await gql(CREATE, { input: { key, name: "x", category: "account", content: [{ locale: "en", sms: { text } }], variables } }));
      ok(await gql(PUBLISH, { key }));
      const sent = await footprint();
      rejected(await gql(SEND, { input: { externalId: "probe", channels: ["SMS"], template: { key, data } } }), { code: "BAD_USER_INPUT", reason, field: "template.data" });
      assert.deepEqual(await footprint(), sent);
    }
  });

  test("missing and wrongly typed variables are rejected in one error that names each; nothing is written", async () => {
    await recipient("typed", { email: "typed@example.com" });
    const before = await footprint();
    const { message } = rejected(
      await gql(SEND, {
        input: { externalId: "typed", channels: ["EMAIL"], template: { key: KEY, data: { orderId: "42", trackingUrl: "javascript:alert(1)", shippedOn: "yesterday", coupon: "X" } } },
      }),
      { code: "BAD_USER_INPUT", reason: "TEMPLATE_VARIABLES", field: "template.data" },
    );
    assert.match(message, /\bname is required \(STRING\)/);
    assert.match(message, /\borderId must be a number, got "42"/);
    assert.match(message, /\btrackingUrl must be an http\(s\) URL/);
    assert.match(message, /\bshippedOn must be an ISO 8601 date/);
    assert.match(message, /\bcoupon is not a variable of this template/);
    assert.deepEqual(await footprint(), before, "a rejected send writes nothing");

    // Right types, optional ones left out: accepted.
    const [n] = await send({ externalId: "typed", channels: ["EMAIL"], template: { key: KEY, data: { name: "Ada", orderId: 42 } } });
    assert.equal(n!.content.subject, "Order 42 shipped, Ada");
  });

  test("variables are HTML-escaped in the email's HTML, but not in its subject or text part", async () => {
    const address = `esc-${randomBytes(3).toString("hex")}@example.com`;
    await recipient("escape", { email: address });
    const name = `<script>alert("pwned")</script> & Sons`;
    const [n] = await send({ externalId: "escape", channels: ["EMAIL"], template: { key: KEY, data: { name, orderId: 7, trackingUrl: "https://track.example/?a=1&b=2" } } });
    assert.ok(["SENT", "DELIVERED"].includes((await settled(n!.id)).status));
    const [mail] = postmarkTo(address);
    const body = mail!.body as { HtmlBody: string; TextBody: string; Subject: string };
    assert.ok(!body.HtmlBody.includes("<script>"), body.HtmlBody);
    assert.ok(body.HtmlBody.includes("&lt;script&gt;alert("), body.HtmlBody);
    assert.ok(body.HtmlBody.includes("&amp; Sons"), body.HtmlBody);
    assert.ok(body.HtmlBody.includes('href="https://track.example/?a=1&amp;b=2"'), body.HtmlBody);
    assert.ok(body.HtmlBody.startsWith("<p>Hi ") && body.HtmlBody.includes("<b>7</b>"), "the template's own markup is kept");
    assert.equal(body.TextBody, `Hi ${name}, order 7 has shipped.`);
    assert.equal(body.Subject, `Order 7 shipped, ${name}`);
  });

  test("locale fallback: the recipient's locale, then its language, then the template's default", async () => {
    const cases = [
      { externalId: "loc-pt-br", locale: "pt-BR", sms: "Oi Bia, seu pedido 5 foi despachado.", subject: "Pedido 5 enviado" }, // SMS exact; email from "pt"
      { externalId: "loc-pt-pt", locale: "pt-PT", sms: "Olá Bia, pedido 5 enviado.", subject: "Pedido 5 enviado" }, // language
      { externalId: "loc-de", locale: "de-DE", sms: "Hi Bia, order 5 has shipped.", subject: "Order 5 shipped, Bia" }, // default
      { externalId: "loc-none", locale: null, sms: "Hi Bia, order 5 has shipped.", subject: "Order 5 shipped, Bia" },
    ];
    for (const c of cases) {
      await recipient(c.externalId, { email: `${c.externalId}@example.com`, phone: phone(), locale: c.locale });
      const [email, sms] = await send({ externalId: c.externalId, channels: ["EMAIL", "SMS"], template: { key: KEY, data: { name: "Bia", orderId: 5 } } });
      assert.equal(sms!.content.body, c.sms, c.externalId);
      assert.equal(email!.content.subject, c.subject, c.externalId);
    }
  });

  test("one send by key goes to several channels; without channels it goes to every channel the recipient can receive", async () => {
    const number = phone();
    const address = "multi@example.com";
    await recipient("multi", { email: address, phone: number });
    ok(await gql(DEVICE, { input: { externalId: "multi", platform: "IOS", token: randomBytes(32).toString("hex") } }));

    const two = await send({ externalId: "multi", channels: ["EMAIL", "SMS"], template: { key: KEY, data: { name: "Cy", orderId: 11 } } });
    assert.deepEqual(two.map((n) => n.channel), ["EMAIL", "SMS"]);
    assert.ok(two.every((n) => n.category === "account" && n.templateVersion.version === 1));
    for (const n of two) assert.ok(["SENT", "DELIVERED"].includes((await settled(n.id)).status));
    assert.equal((postmarkTo(address)[0]!.body as { Subject: string }).Subject, "Order 11 shipped, Cy");
    assert.equal((twilioTo(number)[0]!.body as { Body: string }).Body, "Hi Cy, order 11 has shipped.");

    // No channels: email, SMS, the iOS device and the in-app feed (the template has content for
    // each); no Android or Web Push device, so not those.
    const all = await send({ externalId: "multi", template: { key: KEY, data: { name: "Cy", orderId: 12 } } });
    assert.deepEqual(all.map((n) => n.channel), ["EMAIL", "SMS", "IOS_PUSH", "IN_APP"]);
    const push = all.find((n) => n.channel === "IOS_PUSH")!;
    assert.deepEqual(push.content, { title: "Order 12", body: "On its way, Cy" });
    assert.equal(push.data.orderId, "12", "rendered push data");
    for (const n of all) assert.ok(["SENT", "DELIVERED"].includes((await settled(n.id)).status), n.channel);
    const apns = stack.sandbox.recorder.list({ provider: "apns", accepted: true });
    assert.equal((apns.at(-1)!.body as { orderId: string }).orderId, "12");

    // Only an email address: email and in-app. The template has no web push content, so a Web
    // Push subscriber would not get one either.
    await recipient("email-only", { email: "email-only@example.com" });
    const emailOnly = await send({ externalId: "email-only", template: { key: KEY, data: { name: "Di", orderId: 13 } } });
    assert.deepEqual(emailOnly.map((n) => n.channel), ["EMAIL", "IN_APP"]);

    // Inline content picks the channels it has enough for: subject + body covers all four.
    const inline = await send({ externalId: "multi", content: { subject: "Hello", body: "Plain hello" } });
    assert.deepEqual(inline.map((n) => n.channel), ["EMAIL", "SMS", "IOS_PUSH", "IN_APP"]);

    // Nobody to reach: a typed error, nothing written.
    await recipient("unreachable", {});
    const before = await footprint();
    rejected(await gql(SEND, { input: { externalId: "unreachable", content: { subject: "x", body: "y" }, sendAt: new Date(Date.now() + 60_000).toISOString() } }), {
      code: "BAD_USER_INPUT",
      reason: "NO_RECEIVABLE_CHANNEL",
    });
    assert.deepEqual(await footprint(), before);
  });

  test("versions: edits make a draft, publish switches sends, sent notifications keep their version, old versions are readable and restorable", async () => {
    const address = "versions@example.com";
    await recipient("versions", { email: address });
    const data = { name: "Eve", orderId: 21 };
    const [first] = await send({ externalId: "versions", channels: ["EMAIL"], template: { key: KEY, data } });
    assert.deepEqual(first!.templateVersion, { version: 1, state: "PUBLISHED" });

    // An edit is a new draft; sends keep using version 1.
    const v2Content = CONTENT.map((c) => (c.locale === "en" ? { ...c, email: { ...c.email!, subject: "v2: order {{ orderId }} is on its way" } } : c));
    const draft = ok(await gql(UPDATE, { key: KEY, content: v2Content })).updateTemplateDraft;
    assert.deepEqual(draft, { version: 2, state: "DRAFT" });
    const [second] = await send({ externalId: "versions", channels: ["EMAIL"], template: { key: KEY, data } });
    assert.equal(second!.templateVersion.version, 1);
    assert.equal(second!.content.subject, "Order 21 shipped, Eve");

    ok(await gql(PUBLISH, { key: KEY }));
    const [third] = await send({ externalId: "versions", channels: ["EMAIL"], template: { key: KEY, data } });
    assert.deepEqual(third!.templateVersion, { version: 2, state: "PUBLISHED" });
    assert.equal(third!.content.subject, "v2: order 21 is on its way");
    await settled(third!.id);
    assert.equal((postmarkTo(address).at(-1)!.body as { Subject: string }).Subject, "v2: order 21 is on its way");

    // The first notification still says what was sent, and from which version.
    const firstNow = ok(await gql(NOTIFICATION, { id: first!.id })).notification;
    assert.equal(firstNow.content.subject, "Order 21 shipped, Eve");
    assert.deepEqual(firstNow.templateVersion, { version: 1, state: "ARCHIVED", template: { key: KEY } });
    const row = await stack.db.notification.findUniqueOrThrow({ where: { id: first!.id }, include: { templateVersion: true } });
    assert.equal(row.templateVersion!.version, 1);

    // Version 1 is still readable, and restoring it makes version 3, a draft with its content.
    const versions = ok(await gql(TEMPLATE, { key: KEY })).template.versions as { version: number; state: string; content: any }[];
    assert.deepEqual(versions.map((v) => [v.version, v.state]), [[2, "PUBLISHED"], [1, "ARCHIVED"]]);
    assert.equal(versions[1]!.content.en.EMAIL.subject, "Order {{ orderId }} shipped, {{ name }}");
    const restored = ok(await gql(RESTORE, { key: KEY, version: 1 })).restoreTemplateVersion;
    assert.equal(restored.version, 3);
    assert.equal(restored.state, "DRAFT");
    assert.deepEqual(restored.content, versions[1]!.content);
    ok(await gql(PUBLISH, { key: KEY }));
    const [fourth] = await send({ externalId: "versions", channels: ["EMAIL"], template: { key: KEY, data } });
    assert.deepEqual([fourth!.templateVersion.version, fourth!.content.subject], [3, "Order 21 shipped, Eve"]);

    // Pinning: a once-published version can be sent on purpose; an unknown or never-published one cannot.
    const [pinned] = await send({ externalId: "versions", channels: ["EMAIL"], template: { key: KEY, version: 2, data } });
    assert.deepEqual([pinned!.templateVersion.version, pinned!.content.subject], [2, "v2: order 21 is on its way"]);
    await Promise.all([fourth, pinned].map((n) => settled(n!.id)));
    rejected(await gql(SEND, { input: { externalId: "versions", channels: ["EMAIL"], template: { key: KEY, version: 99, data } } }), { code: "NOT_FOUND" });
    ok(await gql(UPDATE, { key: KEY, variables: [...VARIABLES, { name: "carrier", type: "STRING", required: false }] }));
    rejected(await gql(SEND, { input: { externalId: "versions", channels: ["EMAIL"], template: { key: KEY, version: 4, data } } }), {
      code: "BAD_USER_INPUT",
      reason: "TEMPLATE_NOT_PUBLISHED",
    });
  });

  test("previewTemplate renders any version, channel and locale with sample data, and sends and stores nothing", async () => {
    const before = await footprint();
    // Default: the newest version (the draft from the previous test).
    const draft = ok(await gql(PREVIEW, { key: KEY, channel: "SMS", locale: "pt-BR", data: { name: "Fa", orderId: 3 } })).previewTemplate;
    assert.deepEqual(draft, { version: 4, channel: "SMS", locale: "pt-BR", content: { body: "Oi Fa, seu pedido 3 foi despachado." }, data: null });

    const old = ok(await gql(PREVIEW, { key: KEY, version: 2, channel: "EMAIL", locale: "de", data: { name: "<b>Fa</b>", orderId: 3 } })).previewTemplate;
    assert.equal(old.version, 2);
    assert.equal(old.locale, "en", "de has no content: the default locale");
    assert.equal(old.content.subject, "v2: order 3 is on its way");
    assert.ok(old.content.html.includes("&lt;b&gt;Fa&lt;/b&gt;"), "the preview escapes as a send would");

    const push = ok(await gql(PREVIEW, { key: KEY, version: 1, channel: "IOS_PUSH", data: { name: "Fa", orderId: 3 } })).previewTemplate;
    assert.deepEqual(push.data, { orderId: "3" });

    rejected(await gql(PREVIEW, { key: KEY, channel: "SMS", data: { orderId: 3 } }), { code: "BAD_USER_INPUT", reason: "TEMPLATE_VARIABLES", field: "data" });
    rejected(await gql(PREVIEW, { key: KEY, channel: "WEB_PUSH", data: { name: "Fa", orderId: 3 } }), {
      code: "BAD_USER_INPUT",
      reason: "TEMPLATE_CHANNEL_MISSING",
      field: "channel",
    });
    // Sending needs a notification row, so no new rows (and no new versions) means nothing was sent or stored.
    assert.deepEqual(await footprint(), before, "nothing stored, nothing sent");
  });
});
