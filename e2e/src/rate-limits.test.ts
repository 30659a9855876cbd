import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Stack, type KeyPair } from "./harness/stack.js";

const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;

/** Ten aliased reads of one recipient: 10 (the operation) + 10 × 1 (one object each) = 20 units. */
const TEN_ALIASES = `{ ${Array.from({ length: 10 }, (_, i) => `r${i}: recipient(externalId: "r") { id }`).join(" ")} }`;
const BULK = `mutation ($input: SendBulkInput!) { sendBulk(input: $input) { accepted } }`;

describe("rate limits: spent by cost, so aliases and bulk recipients count; limited work waits, it is not dropped", () => {
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    stack = await Stack.start({
      workers: 1,
      // 100 units per key and 30 per recipient, per 2-second window.
      env: { API_COST_BUDGET: "100", API_RECIPIENT_COST_BUDGET: "30", API_COST_WINDOW_SECONDS: "2", PROVIDER_RATE_LIMITS: "EMAIL=2/1s" },
    });
    key = stack.createKeyPair();
    await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "r", email: "r@example.com" }) { id } }`);
  });
  after(() => stack?.stop());

  /** A raw POST, for the headers. */
  async function post(headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}) {
    const res = await fetch(`${stack.apiUrl}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } };
  }
  const asKey = (k: KeyPair) => ({ "x-app-key": k.appKey, "x-app-secret": k.appSecret });
  const freshWindow = () => new Promise((r) => setTimeout(r, 2_100));

  test("aliases count: a key over its cost budget gets RATE_LIMITED (HTTP 429) with Retry-After and retryAfterMs", async () => {
    await freshWindow();
    const started = Date.now();
    // 12 requests of 20 units each against 100 per window: at most 5 pass per window.
    const results = await Promise.all(Array.from({ length: 12 }, () => post(asKey(key), TEN_ALIASES)));
    const windows = Math.max(1, Math.ceil((Date.now() - started) / 2000));
    const limited = results.filter((r) => r.body.errors?.[0]?.extensions?.code === "RATE_LIMITED");
    const passed = results.filter((r) => !r.body.errors).length;
    assert.ok(passed <= 5 * windows, `${passed} passed in ${windows} windows`);
    assert.equal(passed + limited.length, 12);
    assert.ok(limited.length >= 1, "the burst was limited");
    const first = limited[0]!;
    assert.equal(first.status, 429);
    const ext = first.body.errors![0]!.extensions!;
    assert.ok(ext.retryAfterMs > 0 && ext.retryAfterMs <= 2000, JSON.stringify(ext));
    assert.equal(ext.cost, 20, "the operation's cost, aliases included");
    // Retry-After in whole seconds, rounded up from retryAfterMs.
    assert.equal(first.retryAfter, String(Math.ceil(ext.retryAfterMs / 1000)));
    assert.equal(first.body.data, undefined, "nothing ran");
    // Another key of the same app has its own budget.
    const other = stack.createKeyPair("other");
    assert.equal((await post(asKey(other), `{ __typename }`)).body.errors, undefined);
  });

  test("a sendBulk with N recipients costs N (+ 10 for the operation); one over the whole budget is refused as too costly", async () => {
    await freshWindow();
    const recipients = (n: number) => Array.from({ length: n }, (_, i) => ({ externalId: `nobody-${i}` }));
    const input = (n: number) => ({ channels: ["EMAIL"], content: { subject: "s", body: "b" }, recipients: recipients(n) });
    // 10 + 60 (its selection, scalars only, costs 0) = 70 of 100: passes; the same again does not fit this window.
    const firstBulk = await post(asKey(key), BULK, { input: input(60) });
    assert.equal(firstBulk.body.errors, undefined, JSON.stringify(firstBulk.body.errors));
    const second = await post(asKey(key), BULK, { input: input(60) });
    assert.equal(second.status, 429);
    assert.equal(second.body.errors![0]!.extensions!.code, "RATE_LIMITED");
    assert.equal(second.body.errors![0]!.extensions!.cost, 70);
    assert.ok(Number(second.retryAfter) >= 1);
    // 200 recipients cost more than the key may ever spend in a window: refused before it runs.
    const huge = await post(asKey(key), BULK, { input: input(200) });
    assert.equal(huge.status, 400);
    assert.equal(huge.body.errors![0]!.extensions!.code, "GRAPHQL_VALIDATION_FAILED");
    assert.equal(huge.body.errors![0]!.extensions!.reason, "COST_LIMIT");
    assert.match(huge.body.errors![0]!.message, /cost 210 exceeds the limit of 100/);
  });

  test("recipient tokens are limited per recipient, apart from the key: a new token buys no more budget", async () => {
    await freshWindow();
    const issue = async () => {
      const res = await post(asKey(key), `mutation { issueRecipientToken(externalId: "r", ttlSeconds: 600) { token } }`);
      return { authorization: `Bearer ${res.body.data.issueRecipientToken.token}` };
    };
    const three = `{ a: recipient(externalId: "r") { id } b: recipient(externalId: "r") { id } c: recipient(externalId: "r") { id } }`;
    const [t1, t2] = [await issue(), await issue()];
    // 13 units of the recipient's 30: two pass, the third (on another token of the same recipient) does not.
    assert.equal((await post(t1, three)).body.errors, undefined);
    assert.equal((await post(t2, three)).body.errors, undefined);
    const third = await post(t2, three);
    assert.equal(third.status, 429, JSON.stringify(third.body));
    assert.equal(third.body.errors![0]!.extensions!.code, "RATE_LIMITED");
    // Aliased sends in one request (hole 5's attack sent 50 SMS; over 30 aliases is refused
    // outright): 25 cost 10 + 25, more than a recipient may spend in a window.
    const fifty = `mutation { ${Array.from({ length: 25 }, (_, i) => `s${i}: sendNotification(input: { externalId: "r", channels: [EMAIL], content: { subject: "s", body: "b" } }) { replayed }`).join(" ")} }`;
    const refused = await post(t1, fifty);
    assert.equal(refused.body.errors?.[0]?.extensions?.reason, "COST_LIMIT", JSON.stringify(refused.body));
    // The key's own budget was not spent by the tokens.
    assert.equal((await post(asKey(key), `{ __typename }`)).body.errors, undefined);
  });

  test("a provider account limit spreads hand-offs over time across workers, delivering every one", async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const input = { externalId: "r", channels: ["EMAIL"], content: { subject: `s${i}`, body: "b" } };
      let res = await stack.graphql(key, SEND, { input });
      // The key's own cost budget applies too: a well-behaved client waits as told and retries.
      while (res.errors?.[0]?.extensions?.code === "RATE_LIMITED") {
        await new Promise((r) => setTimeout(r, Number(res.errors![0]!.extensions!.retryAfterMs)));
        res = await stack.graphql(key, SEND, { input });
      }
      assert.equal(res.errors, undefined, JSON.stringify(res.errors));
      ids.push(res.data!.sendNotification.notifications[0].id);
    }
    const sent = await stack.eventually(
      () => stack.db.notification.findMany({ where: { id: { in: ids } } }),
      (rows) => rows.every((n) => n.status === "SENT" || n.status === "DELIVERED"),
      20_000,
    );
    const times = sent.map((n) => n.sentAt!.getTime()).sort((a, b) => a - b);
    // 6 jobs at 2 per second need at least two full windows after the first pair.
    assert.ok(times[5]! - times[0]! >= 1500, `hand-offs spanned only ${times[5]! - times[0]!} ms`);
    assert.equal(stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).length, 6);
  });
});
