import assert from "node:assert/strict";
import type { GraphQLResponse } from "./stack.js";

/** The data of a call that must have succeeded; fails with the errors otherwise. */
export function ok<T = Record<string, any>>(res: GraphQLResponse<T>): T {
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!;
}

/** The first error of a call that must have failed, checked against the expected code and extensions. */
export function rejected(res: GraphQLResponse, expected: { code: string; reason?: string; field?: string }): { message: string; extensions: Record<string, any> } {
  assert.ok(res.errors?.length, `expected ${expected.code}, got data ${JSON.stringify(res.data)}`);
  const [error] = res.errors;
  const ext = error!.extensions ?? {};
  assert.equal(ext.code, expected.code, JSON.stringify(res.errors));
  if (expected.reason) assert.equal(ext.reason, expected.reason, JSON.stringify(res.errors));
  if (expected.field) assert.equal(ext.field, expected.field, JSON.stringify(res.errors));
  return { message: error!.message, extensions: ext };
}
