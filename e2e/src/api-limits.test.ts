import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { ok, rejected } from "./harness/gql.js";
import { Stack, type GraphQLResponse, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;
const ISSUE = `mutation ($externalId: String!) { issueRecipientToken(externalId: $externalId, ttlSeconds: 600) { token } }`;
const CREATE = `mutation ($input: CreateTemplateInput!) { createTemplate(input: $input) { key } }`;
const UPDATE = `mutation ($key: String!, $content: [TemplateLocaleContentInput!]) { updateTemplateDraft(key: $key, content: $content) { version } }`;
const PUBLISH = `mutation ($key: String!) { publishTemplate(key: $key) { version } }`;

/** `template(key){versions{template{versions{…}}}}`, `levels` fields deep (levels even). */
function nested(levels: number): string {
  let inner = "version";
  for (let i = 0; i < levels / 2 - 1; i++) inner = `template { key versions { ${inner} } }`;
  return `{ template(key: "t0") { versions { ${inner} } } }`;
}

async function raw(stack: Stack, key: KeyPair | null, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "x-app-key": key.appKey, "x-app-secret": key.appSecret } : {}), ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text, headers: res.headers };
}

/** Every error's extensions, to check none carries a stack trace. */
function assertNoStack(res: GraphQLResponse) {
  for (const e of res.errors ?? []) assert.equal(e.extensions?.stacktrace, undefined, `stacktrace in ${JSON.stringify(e)}`);
}

describe("GraphQL limits: deep, wide and huge documents are refused before they run (sandbox mode)", () => {
  let stack: Stack;
  let key: KeyPair;
  let token: string;

  const asToken = (query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> => stack.graphql({ token }, query, variables);

  before(async () => {
    stack = await Stack.start({ workers: 0 });
    key = stack.createKeyPair();
    ok(await stack.graphql(key, UPSERT, { input: { externalId: "alice", email: "alice@example.com" } }));
    // Three templates with five versions each (four archived, one published).
    for (let t = 0; t < 3; t++) {
      const content = (i: number) => [{ locale: "en", email: { subject: `v${i}`, text: "hi" } }];
      ok(await stack.graphql(key, CREATE, { input: { key: `t${t}`, name: `T${t}`, category: "account", content: content(1) } }));
      ok(await stack.graphql(key, PUBLISH, { key: `t${t}` }));
      for (let i = 2; i <= 5; i++) {
        ok(await stack.graphql(key, UPDATE, { key: `t${t}`, content: content(i) }));
        ok(await stack.graphql(key, PUBLISH, { key: `t${t}` }));
      }
    }
    token = ok(await stack.graphql(key, ISSUE, { externalId: "alice" })).issueRecipientToken.token;
  });
  after(() => stack?.stop());

  test("22 levels of template{versions{template…}} → GRAPHQL_VALIDATION_FAILED (depth), at once", async () => {
    const started = Date.now();
    const res = await stack.graphql(key, nested(22));
    const { message } = rejected(res, { code: "GRAPHQL_VALIDATION_FAILED" });
    assert.match(message, /depth/i);
    assert.equal(res.status, 400);
    assert.equal(res.data, undefined, "nothing executed");
    assertNoStack(res);
    // It took 11.9 s and ~4,000 queries before; refused in validation it touches no database.
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  });

  test("within the depth limit the nesting is paid for: the cost limit refuses what would multiply", async () => {
    // 8 levels is within the depth limit, but 20 × 20 × … versions per level is not affordable.
    const res = await stack.graphql(key, `{ templates { versions(first: 100) { template { versions(first: 100) { template { versions(first: 100) { content } } } } } } }`);
    const { extensions } = rejected(res, { code: "GRAPHQL_VALIDATION_FAILED", reason: "COST_LIMIT" });
    assert.ok(extensions.cost > extensions.limit, JSON.stringify(extensions));
  });

  test("1,000 aliases of templates{versions{content}} are refused (token limit), and 40 (alias limit)", async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: templates { versions { content } }`).join(" ")} }`;
    const thousand = await stack.graphql(key, aliases(1000));
    assert.match(rejected(thousand, { code: "GRAPHQL_PARSE_FAILED" }).message, /more that 5000 tokens/i);
    assert.equal(thousand.status, 400);
    assert.equal(thousand.data, undefined);
    const forty = await stack.graphql(key, aliases(40));
    assert.match(rejected(forty, { code: "GRAPHQL_VALIDATION_FAILED" }).message, /alias/i);
    assert.equal(forty.data, undefined);
  });

  test("a 3.9 MB document of 200,000 __typename aliases is refused while /health keeps answering at once", async () => {
    const query = `{ ${Array.from({ length: 200_000 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    assert.ok(query.length > 3_000_000, `${query.length} bytes`);
    const body = JSON.stringify({ query });
    let refusing = true;
    const healthLatencies: number[] = [];
    // /health polled throughout; the attack is sent several times over so the polls overlap it.
    const probe = (async () => {
      while (refusing) {
        const t = performance.now();
        const res = await fetch(`${stack.apiUrl}/health`);
        assert.equal(res.status, 200);
        await res.text();
        healthLatencies.push(performance.now() - t);
      }
    })();
    const attacks = [];
    for (let i = 0; i < 5; i++) attacks.push(await raw(stack, key, body));
    refusing = false;
    await probe;
    const worst = Math.max(...healthLatencies);
    console.log(`/health during the 3.9 MB attack: ${healthLatencies.length} polls, worst ${worst.toFixed(1)} ms; attack answered ${attacks.map((a) => a.status).join(",")}`);
    for (const a of attacks) {
      const res = JSON.parse(a.text) as GraphQLResponse;
      assert.equal(a.status, 400, a.text.slice(0, 300));
      assert.equal(res.errors?.[0]?.extensions?.code, "GRAPHQL_PARSE_FAILED", a.text.slice(0, 300));
      assert.match(res.errors![0]!.message, /token/i);
      assert.equal(res.data, undefined);
    }
    assert.ok(healthLatencies.length >= 3, "health was polled during the attack");
    // Before: /health stalled 1.8 s. A correctness bound, not a speed goal.
    assert.ok(worst < 500, `worst /health latency ${worst.toFixed(0)} ms`);
  });

  test("more directives than allowed → GRAPHQL_VALIDATION_FAILED", async () => {
    // The same field 60 times merges into one (no aliases), each with its own directive.
    const res = await stack.graphql(key, `{ ${"__typename @include(if: true) ".repeat(60)} }`);
    rejected(res, { code: "GRAPHQL_VALIDATION_FAILED" });
  });

  test("normal queries work: the console's template list and detail, nested versions, pages", async () => {
    const list = ok(await stack.graphql(key, `{ templates { key publishedVersion { version } versions { version state } } }`)).templates;
    assert.deepEqual(list.map((t: any) => t.key), ["t0", "t1", "t2"]);
    assert.deepEqual(list[0].versions.map((v: any) => v.version), [5, 4, 3, 2, 1]);
    assert.equal(list[2].publishedVersion.version, 5);
    // Nested both ways, batched: each level's rows come back, the right ones under each parent.
    const deep = ok(await stack.graphql(key, `{ templates { key versions { version template { key versions(first: 2) { version template { key } } } } } }`)).templates;
    for (const t of deep)
      for (const v of t.versions) {
        assert.equal(v.template.key, t.key);
        assert.deepEqual(v.template.versions.map((w: any) => [w.version, w.template.key]), [[5, t.key], [4, t.key]]);
      }
    // Pages: first/after on templates, first/before on versions.
    const page1 = ok(await stack.graphql(key, `{ templates(first: 2) { key } }`)).templates;
    assert.deepEqual(page1.map((t: any) => t.key), ["t0", "t1"]);
    const page2 = ok(await stack.graphql(key, `{ templates(first: 2, after: "t1") { key } }`)).templates;
    assert.deepEqual(page2.map((t: any) => t.key), ["t2"]);
    const older = ok(await stack.graphql(key, `{ template(key: "t1") { versions(first: 2, before: 4) { version } } }`)).template;
    assert.deepEqual(older.versions.map((v: any) => v.version), [3, 2]);
    for (const first of [0, 101])
      rejected(await stack.graphql(key, `{ template(key: "t1") { versions(first: ${first}) { version } } }`), { code: "BAD_USER_INPUT", reason: "INVALID_PAGE_SIZE", field: "first" });
  });

  test("a NUL byte in externalId, a body or data is BAD_USER_INPUT (INVALID_CHARACTER) naming the field, and nothing is written", async () => {
    const before = await stack.db.recipient.count();
    const notifications = await stack.db.notification.count();
    const cases: [string, string, Record<string, unknown>, string][] = [
      ["externalId", UPSERT, { input: { externalId: "bad\u0000id" } }, "input.externalId"],
      ["body", SEND, { input: { externalId: "alice", channels: ["EMAIL"], content: { subject: "s", body: "a\u0000b" } } }, "input.content.body"],
      ["data", SEND, { input: { externalId: "alice", channels: ["EMAIL"], content: { subject: "s", body: "b" }, data: { k: "v\u0000" } } }, "input.data.k"],
      ["data key", SEND, { input: { externalId: "alice", channels: ["EMAIL"], content: { subject: "s", body: "b" }, data: { "k\u0000": "v" } } }, "input.data.k\u0000"],
      ["unpaired surrogate", SEND, { input: { externalId: "alice", channels: ["EMAIL"], content: { subject: "s", body: "b" }, data: { k: "\ud800" } } }, "input.data.k"],
    ];
    for (const [label, query, variables, field] of cases) {
      const res = await stack.graphql(key, query, variables);
      const { message } = rejected(res, { code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field });
      assert.doesNotMatch(message, /prisma|22021|22P05|invocation/i, label);
      assertNoStack(res);
    }
    // Over a recipient token too (the same middleware guards every field): a preference of its own recipient.
    rejected(
      await asToken(`mutation { setPreference(externalId: "alice", channel: EMAIL, category: "a\\u0000b", enabled: false) { enabled } }`),
      { code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER" },
    );
    assert.equal(await stack.db.recipient.count(), before);
    assert.equal(await stack.db.notification.count(), notifications);
  });

  test("a malformed ID (not a UUID) is NOT_FOUND, not Postgres's 22P02 as an internal error", async () => {
    for (const query of [`{ notification(id: "not-a-uuid") { id } }`, `{ deliveryHistory(externalId: "alice", before: "x'; --") { id } }`, `mutation { cancelNotification(id: "1") { id } }`]) {
      const { message } = rejected(await stack.graphql(key, query), { code: "NOT_FOUND" });
      assert.match(message, /^Notification "/, query);
    }
  });

  test("no error carries a stacktrace (sandbox mode without API_DEBUG_ERRORS)", async () => {
    for (const query of [`{ template(key: "nope") { key } }`, `{ nope }`, `{ deliveryHistory(externalId: "alice", before: "not-a-uuid") { id } }`]) {
      const res = await stack.graphql(key, query);
      assert.ok(res.errors?.length, query);
      assertNoStack(res);
      assert.doesNotMatch(JSON.stringify(res.errors), /\/work\/|node_modules|invocation/, query);
    }
  });

  test("an 11 MB body → 413 JSON PAYLOAD_TOO_LARGE; malformed JSON → 400 JSON; never an HTML page", async () => {
    const big = JSON.stringify({ query: SEND, variables: { input: { externalId: "alice", content: { body: "x".repeat(11 * 1024 * 1024) } } } });
    const tooLarge = await raw(stack, key, big);
    assert.equal(tooLarge.status, 413);
    assert.match(tooLarge.contentType, /application\/json/);
    const body = JSON.parse(tooLarge.text);
    assert.equal(body.errors[0].extensions.code, "PAYLOAD_TOO_LARGE");
    assert.ok(body.errors[0].message);
    assert.doesNotMatch(tooLarge.text, /<html|at .*\.js|\/work\//i);

    const malformed = await raw(stack, key, `{"query": "{ __typename }", `);
    assert.equal(malformed.status, 400);
    assert.match(malformed.contentType, /application\/json/);
    assert.equal(JSON.parse(malformed.text).errors[0].extensions.code, "BAD_REQUEST");
    assert.doesNotMatch(malformed.text, /<html|at .*\.js|\/work\//i);
  });

  test("introspection and field suggestions: open to the app key in sandbox mode, closed to recipient tokens", async () => {
    const intro = `{ __schema { queryType { name } } }`;
    assert.equal(ok(await stack.graphql(key, intro)).__schema.queryType.name, "Query");
    const refused = await asToken(intro);
    rejected(refused, { code: "GRAPHQL_VALIDATION_FAILED" });
    assert.equal(refused.data, undefined);
    rejected(await asToken(`{ __type(name: "Template") { fields { name } } }`), { code: "GRAPHQL_VALIDATION_FAILED" });
    // __typename is not introspection of the schema.
    assert.equal(ok(await asToken(`{ __typename }`)).__typename, "Query");

    const typo = `{ recipent(externalId: "alice") { id } }`;
    assert.match(rejected(await stack.graphql(key, typo), { code: "GRAPHQL_VALIDATION_FAILED" }).message, /Did you mean/);
    const hidden = rejected(await asToken(typo), { code: "GRAPHQL_VALIDATION_FAILED" }).message;
    assert.doesNotMatch(hidden, /Did you mean|recipient/, hidden);
  });

  test("a recipient token's deliveryEvents subscription is refused when it starts: one error, then the stream ends", async () => {
    const client = createClient({
      url: `${stack.apiUrl.replace("http", "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: true,
    });
    try {
      const received: unknown[] = [];
      const outcome = await new Promise<string>((resolve) => {
        client.subscribe(
          { query: `subscription { deliveryEvents { id type } }` },
          {
            next: (v) => received.push(v),
            error: (e) => {
              received.push(e);
              resolve("error");
            },
            complete: () => resolve("complete"),
          },
        );
        setTimeout(() => resolve("timeout"), 10_000);
      });
      assert.notEqual(outcome, "timeout", "the stream ended");
      assert.equal(received.length, 1, JSON.stringify(received));
      assert.match(JSON.stringify(received[0]), /FORBIDDEN|needs the app's credentials/);
      // Events happening now are not sent to it: the subscription is gone.
      ok(await stack.graphql(key, SEND, { input: { externalId: "alice", channels: ["EMAIL"], content: { subject: "s", body: "b" } } }));
      await new Promise((r) => setTimeout(r, 2_000));
      assert.equal(received.length, 1);
    } finally {
      await client.dispose();
    }
  });

  test("over graphql-ws the same limits hold: a subscription document with 40 aliases is refused at subscribe", async () => {
    const client = createClient({
      url: `${stack.apiUrl.replace("http", "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { "x-app-key": key.appKey, "x-app-secret": key.appSecret },
      retryAttempts: 0,
      lazy: true,
    });
    try {
      const query = `subscription { deliveryEvents { id ${Array.from({ length: 40 }, (_, i) => `a${i}: id`).join(" ")} } }`;
      const error = await new Promise<unknown>((resolve) => {
        client.subscribe({ query }, { next: () => resolve("next"), error: resolve, complete: () => resolve("complete") });
        setTimeout(() => resolve("timeout"), 10_000);
      });
      assert.match(JSON.stringify(error), /alias/i, JSON.stringify(error));
    } finally {
      await client.dispose();
    }
  });
});

describe("production mode: no introspection or suggestions unless enabled, no stack traces", () => {
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    stack = await Stack.start({
      workers: 0,
      env: { NOTIFY_MODE: "production", API_DEBUG_ERRORS: "1", UNSUBSCRIBE_SECRET: "u".repeat(40), APP_TOKEN_SECRET: "a".repeat(40), CONSOLE_IDENTITY_SECRET: "c".repeat(40) },
    });
    key = stack.createKeyPair();
  });
  after(() => stack?.stop());

  test("the app key cannot introspect, gets no suggestions, and errors carry no stack trace even with API_DEBUG_ERRORS=1", async () => {
    rejected(await stack.graphql(key, `{ __schema { types { name } } }`), { code: "GRAPHQL_VALIDATION_FAILED" });
    const hidden = rejected(await stack.graphql(key, `{ recipent(externalId: "x") { id } }`), { code: "GRAPHQL_VALIDATION_FAILED" }).message;
    assert.doesNotMatch(hidden, /Did you mean/);
    // Errors a caller can cause (every path tried here is typed; internal-error masking itself is
    // apps/api/src/graphql/format-error.test.ts) carry no stack trace even with API_DEBUG_ERRORS=1.
    ok(await stack.graphql(key, UPSERT, { input: { externalId: "alice" } }));
    for (const query of [`{ deliveryHistory(externalId: "alice", before: "not-a-uuid") { id } }`, `{ template(key: "nope") { key } }`]) {
      const res = await stack.graphql(key, query);
      assert.ok(res.errors?.length);
      assertNoStack(res);
      assert.doesNotMatch(JSON.stringify(res.errors), /prisma|invocation|\/work\/|node_modules/i);
    }
  });
});
