import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { InvalidUnsubscribeTokenError, signUnsubscribeToken, unsubscribeSecret, UnsubscribeSecretMissingError, verifyUnsubscribeToken } from "./unsubscribe-token.js";

const SECRET = "s3cret-for-tests-only-0123456789";
const claim = { recipientId: "0b6f0d1e-7f2a-4c1b-9d3e-2a1b3c4d5e6f", category: "marketing", channel: "EMAIL" as const, expiresAt: new Date("2026-09-01T00:00:00Z") };
const now = new Date("2026-06-01T00:00:00Z");

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidUnsubscribeTokenError);
    return err.reason;
  }
  assert.fail("expected the token to be refused");
};

test("a signed token round-trips and is URL-path safe", () => {
  const token = signUnsubscribeToken(claim, SECRET);
  assert.match(token, /^[A-Za-z0-9_.-]+$/);
  assert.deepEqual(verifyUnsubscribeToken(token, SECRET, now), claim);
});

test("another secret, a changed payload or a changed signature is refused", () => {
  const token = signUnsubscribeToken(claim, SECRET);
  assert.equal(reason(() => verifyUnsubscribeToken(token, "another-secret-0123456789abcdef", now)), "BAD_SIGNATURE");
  const [v, payload, sig] = token.split(".");
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), k: "security" })).toString("base64url");
  assert.equal(reason(() => verifyUnsubscribeToken(`${v}.${forged}.${sig}`, SECRET, now)), "BAD_SIGNATURE");
  assert.equal(reason(() => verifyUnsubscribeToken(`${v}.${payload}.${sig!.slice(0, -2)}AA`, SECRET, now)), "BAD_SIGNATURE");
  assert.equal(reason(() => verifyUnsubscribeToken(`${v}.${payload}.`, SECRET, now)), "BAD_SIGNATURE");
});

test("expired and malformed tokens are refused", () => {
  const token = signUnsubscribeToken(claim, SECRET);
  assert.equal(reason(() => verifyUnsubscribeToken(token, SECRET, new Date("2026-09-01T00:00:00Z"))), "EXPIRED");
  for (const bad of ["", "abc", "u1.x", "u2.a.b", "u1.a.b.c"]) assert.equal(reason(() => verifyUnsubscribeToken(bad, SECRET, now)), "MALFORMED", bad);
});

test("every claim of a correctly signed token is checked: channel, ids, category, expiry", () => {
  const forge = (payload: Record<string, unknown>) => {
    // Signed with the right secret, as someone holding it (or a buggy signer) could.
    const signed = `u1.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
    return `${signed}.${createHmac("sha256", SECRET).update(signed).digest("base64url")}`;
  };
  const base = { a: "6f1c1d9e-1b2a-4c3d-8e4f-5a6b7c8d9e0f", r: claim.recipientId, k: "marketing", c: "EMAIL", e: Math.floor(claim.expiresAt.getTime() / 1000) };
  assert.equal(verifyUnsubscribeToken(forge(base), SECRET, now).appId, base.a);
  for (const bad of [{ c: "FOO" }, { c: "ALL" }, { c: 7 }, { r: "not-a-uuid" }, { r: 1 }, { a: "x" }, { k: "" }, { k: " padded " }, { k: "x".repeat(65) }, { e: "soon" }, { e: 1.5 }]) {
    assert.equal(reason(() => verifyUnsubscribeToken(forge({ ...base, ...bad }), SECRET, now)), "MALFORMED", JSON.stringify(bad));
  }
  assert.equal(reason(() => verifyUnsubscribeToken(forge([1, 2]  as never), SECRET, now)), "MALFORMED");
});

test("no public default secret: production refuses without UNSUBSCRIBE_SECRET; sandbox makes one per install", () => {
  const dir = mkdtempSync(join(tmpdir(), "unsub-"));
  const sandboxFile = join(dir, "nested", "unsubscribe-secret");
  assert.throws(() => unsubscribeSecret({ configured: undefined, mode: "production", sandboxFile }), UnsubscribeSecretMissingError);
  assert.equal(existsSync(sandboxFile), false);
  assert.deepEqual(unsubscribeSecret({ configured: SECRET, mode: "production", sandboxFile }), { secret: SECRET, generated: false });
  const first = unsubscribeSecret({ configured: undefined, mode: "sandbox", sandboxFile });
  assert.ok(first.generated && first.secret.length >= 32);
  // The second process (workers after API) reads the same one.
  assert.equal(unsubscribeSecret({ configured: undefined, mode: "sandbox", sandboxFile }).secret, first.secret);
  // Another install gets another secret.
  assert.notEqual(unsubscribeSecret({ configured: undefined, mode: "sandbox", sandboxFile: join(dir, "other") }).secret, first.secret);
});
