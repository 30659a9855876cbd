import assert from "node:assert/strict";
import { test } from "node:test";
import { loadEnv } from "./env.js";

test("production refuses to start without CONSOLE_IDENTITY_SECRET or APP_TOKEN_SECRET, naming each; sandbox runs without", () => {
  assert.throws(() => loadEnv({ NOTIFY_MODE: "production" }), /CONSOLE_IDENTITY_SECRET: required in production/);
  assert.throws(() => loadEnv({ NOTIFY_MODE: "production", CONSOLE_IDENTITY_SECRET: "short" }), /CONSOLE_IDENTITY_SECRET: at least 32 characters/);
  assert.throws(() => loadEnv({ NOTIFY_MODE: "production", CONSOLE_IDENTITY_SECRET: "x".repeat(32) }), /APP_TOKEN_SECRET: required in production/);
  assert.equal(loadEnv({ NOTIFY_MODE: "production", CONSOLE_IDENTITY_SECRET: "x".repeat(32), APP_TOKEN_SECRET: "y".repeat(32) }).CONSOLE_IDENTITY_SECRET, "x".repeat(32));
  assert.equal(loadEnv({}).CONSOLE_IDENTITY_SECRET, undefined);
});
