import assert from "node:assert/strict";
import { test } from "node:test";
import { getMetadataStorage } from "type-graphql";
import { ROLE_PERMISSIONS, SCOPE_PERMISSIONS, Permission, permissionsOf, requirePermissions } from "../auth/permissions.js";
import { createSchema } from "./schema.js";

test("every Query, Mutation and Subscription field carries @Authorized", async () => {
  const schema = await createSchema();
  const storage = getMetadataStorage();
  const authorized = new Set(storage.authorizedFields.map((a) => `${a.target.name}.${a.fieldName}`));
  const roots = [...storage.queries, ...storage.mutations, ...storage.subscriptions];
  const names = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) => Object.keys(t?.getFields() ?? {}));
  // Every schema root field has a resolver method here (the check covers all of them, not a subset).
  assert.deepEqual(new Set(roots.map((r) => r.schemaName)), new Set(names));
  const missing = roots.filter((r) => !authorized.has(`${r.target.name}.${r.methodName}`)).map((r) => `${r.target.name}.${r.methodName}`);
  assert.deepEqual(missing, [], `root fields without @Authorized(Permission.X): ${missing.join(", ")}`);
  // An unknown permission name (a typo in a decorator) would silently refuse everyone but ADMIN.
  const known = new Set<string>(Object.values(Permission));
  const typos = storage.authorizedFields.filter((a) => a.roles.some((r) => !known.has(r)));
  assert.deepEqual(typos, []);
});

test("roles and scopes grant exactly the preamble's permissions", () => {
  const P = Permission;
  const viewer = [P.TEMPLATES_READ, P.RECIPIENTS_READ, P.HISTORY_READ];
  assert.deepEqual([...ROLE_PERMISSIONS.VIEWER].sort(), [...viewer].sort());
  assert.deepEqual([...ROLE_PERMISSIONS.SUPPORT].sort(), [...viewer, P.RECIPIENTS_WRITE, P.DEAD_LETTERS_REPLAY, P.SEND].sort());
  assert.deepEqual([...ROLE_PERMISSIONS.EDITOR].sort(), [...viewer, P.TEMPLATES_WRITE, P.TEST_SEND].sort());
  assert.equal(ROLE_PERMISSIONS.ADMIN.size, Object.values(P).length);
  assert.deepEqual([...SCOPE_PERMISSIONS.SEND].sort(), [P.SEND, P.TEST_SEND].sort());
  assert.deepEqual([...SCOPE_PERMISSIONS.HISTORY].sort(), [P.DEAD_LETTERS_REPLAY, P.HISTORY_READ].sort());
  const sendKey = { kind: "app" as const, apiKeyId: "k", appKey: "ak", scopes: ["SEND" as const] };
  assert.ok(permissionsOf(sendKey).has(P.SEND));
  assert.throws(() => requirePermissions(sendKey, [P.TEMPLATES_WRITE], "createTemplate"), (err: any) => {
    assert.equal(err.extensions.code, "FORBIDDEN");
    assert.match(err.message, /createTemplate needs the TEMPLATES_WRITE permission/);
    assert.deepEqual(err.extensions.missingPermissions, ["TEMPLATES_WRITE"]);
    return true;
  });
  assert.equal(permissionsOf({ kind: "recipient", recipientExternalId: "r" }).size, 0);
});
