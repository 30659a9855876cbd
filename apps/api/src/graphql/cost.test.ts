import "reflect-metadata";
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { parse, type GraphQLSchema } from "graphql";
import { operationCost } from "./cost.js";
import { createSchema } from "./schema.js";
import { findUnstorableText } from "./text-input.js";

describe("the cost function", () => {
  let schema: GraphQLSchema;
  before(async () => {
    schema = await createSchema();
  });
  const cost = (query: string, variables?: Record<string, unknown>) => operationCost(schema, parse(query), variables);

  test("10 per operation, 1 per object, 0 per scalar", () => {
    assert.equal(cost(`{ __typename }`), 10);
    assert.equal(cost(`{ recipient(externalId: "r") { id email } }`), 11);
    assert.equal(cost(`{ a: recipient(externalId: "r") { id } b: recipient(externalId: "r") { id } }`), 12, "aliases count");
  });

  test("list edges cost their page size times an item, so nesting multiplies", () => {
    // templates default page 50, versions 20: 50 × (1 + 20 × 1).
    assert.equal(cost(`{ templates { key versions { version } } }`), 10 + 50 * (1 + 20));
    assert.equal(cost(`{ templates(first: 2) { versions(first: 3) { version } } }`), 10 + 2 * (1 + 3));
    assert.equal(cost(`query ($n: Int) { templates(first: $n) { key } }`, { n: 7 }), 10 + 7, "variables are read");
    // A page asked beyond the maximum is refused when read, and costs no more than the maximum.
    assert.equal(cost(`{ templates(first: 100000) { key } }`), 10 + 200);
  });

  test("a sendBulk costs one per recipient", () => {
    const bulk = `mutation ($input: SendBulkInput!) { sendBulk(input: $input) { accepted } }`;
    const input = (n: number) => ({ channels: ["EMAIL"], content: { body: "b" }, recipients: Array.from({ length: n }, (_, i) => ({ externalId: `r${i}` })) });
    assert.equal(cost(bulk, { input: input(1) }), 11);
    assert.equal(cost(bulk, { input: input(2500) }), 2510);
    assert.equal(cost(`mutation { sendNotification(input: { externalId: "r", content: { body: "b" } }) { notifications { id } } }`), 12);
  });
});

describe("unstorable text", () => {
  test("finds NUL and unpaired surrogates anywhere in arguments, keys included, and names the path", () => {
    assert.equal(findUnstorableText({ input: { externalId: "ok", data: { a: ["x", "y\u0000"] } } }, []), "input.data.a.1");
    assert.equal(findUnstorableText({ input: { data: { "k\u0000": 1 } } }, []), "input.data.k\u0000");
    assert.equal(findUnstorableText({ s: "\udc00" }, []), "s");
    assert.equal(findUnstorableText({ s: "emoji 😀 ok", d: new Date(), n: 1, nothing: null }, []), null);
  });
});
