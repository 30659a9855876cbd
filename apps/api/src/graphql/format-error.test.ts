import assert from "node:assert/strict";
import { test } from "node:test";
import { formatApiError } from "./format-error.js";

const prismaLike = {
  message: "Invalid `prisma.recipient.upsert()` invocation in /work/apps/api/src/recipients/recipient.service.ts:40:5 … Code: `22021`",
  path: ["upsertRecipient"],
  extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["Error: …", "    at /work/apps/api/dist/x.js:1:1"] },
};

test("an internal error is masked: no message of the cause, no stacktrace; the log has it", () => {
  const logged: unknown[] = [];
  const out = formatApiError({ debug: false, log: { error: (o: unknown) => void logged.push(o) } })(prismaLike, new Error(prismaLike.message));
  assert.deepEqual(out, { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" }, path: ["upsertRecipient"] });
  assert.equal(logged.length, 1);
});

test("debug (sandbox + API_DEBUG_ERRORS=1) keeps the message; typed errors pass unchanged", () => {
  const format = formatApiError({ debug: true, log: { error: () => undefined } });
  assert.equal(format(prismaLike, new Error(prismaLike.message)).message, prismaLike.message);
  const typed = { message: "Template \"x\" does not exist", extensions: { code: "NOT_FOUND" } };
  assert.deepEqual(formatApiError({ debug: false, log: { error: () => undefined } })(typed, new Error()), typed);
});
