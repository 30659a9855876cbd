import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ok, rejected } from "./harness/gql.js";
import { randomBytes } from "node:crypto";
import { callWith, cli, consoleIdentity } from "./harness/identity.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const WHO = `{ viewer { kind } }`;
const SECRET = randomBytes(32).toString("hex");

function keyHeaders(key: Pick<KeyPair, "appKey" | "appSecret">, from?: string): Record<string, string> {
  return { "x-app-key": key.appKey, "x-app-secret": key.appSecret, ...(from ? { "x-forwarded-for": from } : {}) };
}

describe("failed authentication is throttled per source address and per appKey", () => {
  describe("behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1): the forwarded address counts", () => {
    let stack: Stack;
    let key: KeyPair;
    before(async () => {
      stack = await Stack.start({ workers: 0, env: { TRUSTED_PROXIES: "127.0.0.1", AUTH_FAILURES_PER_ADDRESS: "10", AUTH_FAILURES_PER_KEY: "40", CONSOLE_IDENTITY_SECRET: SECRET } });
      key = stack.createKeyPair("throttle");
    });
    after(() => stack?.stop());

    test("20 wrong secrets from one address: later attempts get 429 with Retry-After, even with the right secret; another address still gets in", async () => {
      const wrong = { appKey: key.appKey, appSecret: "as_wrong" };
      const codes: number[] = [];
      for (let i = 0; i < 20; i++) codes.push((await callWith(stack.apiUrl, keyHeaders(wrong, "203.0.113.7"), WHO)).status);
      assert.deepEqual(codes.slice(0, 10), Array(10).fill(401));
      assert.deepEqual(codes.slice(10), Array(10).fill(429));
      const right = await callWith(stack.apiUrl, keyHeaders(key, "203.0.113.7"), WHO);
      assert.equal(right.status, 429);
      assert.equal(rejected(right, { code: "RATE_LIMITED" }).extensions.retryAfterMs > 0, true);
      assert.ok(Number(right.headers.get("retry-after")) >= 1, `Retry-After: ${right.headers.get("retry-after")}`);
      // A made-up key or a forged recipient token from that address is refused before any check too.
      assert.equal((await callWith(stack.apiUrl, { authorization: "Bearer x.y.z", "x-forwarded-for": "203.0.113.7" }, WHO)).status, 429);
      // Another client behind the same proxy is not affected.
      const other = await callWith(stack.apiUrl, keyHeaders(key, "198.51.100.2"), WHO);
      assert.equal(other.status, 200, JSON.stringify(other.errors));
      ok(other);
    });

    test("failures on one appKey spread over many addresses lock that key, not other keys", async () => {
      const victim = stack.createKeyPair("victim");
      const bystander = stack.createKeyPair("bystander");
      const wrong = { appKey: victim.appKey, appSecret: "as_wrong" };
      const statuses: number[] = [];
      for (let i = 0; i < 45; i++) statuses.push((await callWith(stack.apiUrl, keyHeaders(wrong, `192.0.2.${i + 1}`), WHO)).status);
      assert.equal(statuses.filter((s) => s === 401).length, 40);
      assert.equal((await callWith(stack.apiUrl, keyHeaders(victim, "192.0.2.200"), WHO)).status, 429);
      ok(await callWith(stack.apiUrl, keyHeaders(bystander, "192.0.2.201"), WHO));
    });

    test("console identities: forged ones count; a validly signed one of a user without access does not (all console calls share one address)", async () => {
      const other = stack.createKeyPair("someone-else");
      cli(stack, "users", ["--email", "gone@example.com", "--password", "long enough pw"]);
      const user = await stack.db.consoleUser.findUniqueOrThrow({ where: { email: "gone@example.com" } });
      const valid = await consoleIdentity(SECRET, { userId: user.id, appId: other.appId });
      for (let i = 0; i < 15; i++) assert.equal((await callWith(stack.apiUrl, { "x-console-identity": valid, "x-forwarded-for": "198.51.100.50" }, WHO)).status, 401);
      const forged = await consoleIdentity("f".repeat(64), { userId: user.id, appId: other.appId });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await callWith(stack.apiUrl, { "x-console-identity": forged, "x-forwarded-for": "198.51.100.51" }, WHO)).status);
      assert.deepEqual(statuses.slice(10), [429, 429]);
    });
  });

  describe("without a trusted proxy, X-Forwarded-For is ignored", () => {
    let stack: Stack;
    let key: KeyPair;
    before(async () => {
      stack = await Stack.start({ workers: 0, env: { AUTH_FAILURES_PER_ADDRESS: "10" } });
      key = stack.createKeyPair("direct");
    });
    after(() => stack?.stop());

    test("a guesser who varies X-Forwarded-For is still counted by its socket address", async () => {
      const wrong = { appKey: "ak_made_up", appSecret: "as_wrong" };
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) statuses.push((await callWith(stack.apiUrl, keyHeaders(wrong, `10.9.8.${i}`), WHO)).status);
      assert.deepEqual(statuses.slice(10), Array(5).fill(429));
      assert.equal((await callWith(stack.apiUrl, keyHeaders(key, "10.9.8.200"), WHO)).status, 429);
    });
  });
});
