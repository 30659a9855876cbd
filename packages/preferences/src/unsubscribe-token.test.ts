import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidUnsubscribeTokenError, signUnsubscribeToken, verifyUnsubscribeToken } from "./unsubscribe-token.js";

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
