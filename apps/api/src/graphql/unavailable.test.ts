import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphQLError } from "graphql";
import { unavailableError } from "./unavailable.js";

const wrapped = (err: Error) => new GraphQLError(`Context creation failed: ${err.message}`, { originalError: err });
const code = (err: unknown) => unavailableError(err)?.extensions?.code ?? null;

test("lost or restarting Postgres, however pg and Prisma word it, is SERVICE_UNAVAILABLE", () => {
  // The messages seen in the chaos run's API log while Postgres restarted.
  const seen = [
    "Client has encountered a connection error and is not queryable",
    "Invalid `prisma.notification.findMany()` invocation: Database error. Code: `57P03`. Message: `the database system is shutting down`",
    "Database error. Code: `57P01`. Message: `terminating connection due to administrator command`",
    "Can't reach database server at 127.0.0.1:5432",
  ];
  for (const message of seen) assert.equal(code(wrapped(Object.assign(new Error(message), message.startsWith("Can't") ? { code: "P1001" } : {}))), "SERVICE_UNAVAILABLE", message);
  assert.equal(code(new GraphQLError("x", { originalError: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) })), "SERVICE_UNAVAILABLE");
  assert.equal(unavailableError(wrapped(new Error("the database system is starting up")))?.extensions?.retryable, true);
});

test("anything else stays an internal error", () => {
  assert.equal(code(wrapped(new Error("Cannot read properties of undefined (reading 'id')"))), null);
  assert.equal(code(wrapped(Object.assign(new Error("Unique constraint failed"), { code: "P2002" }))), null);
  assert.equal(code(new GraphQLError("bad")), null);
});
