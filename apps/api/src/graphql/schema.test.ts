import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema } from "graphql";
import { createSchema } from "./schema.js";

const committed = fileURLToPath(new URL("../../schema.graphql", import.meta.url));

test("the committed schema.graphql matches the type-graphql classes", async () => {
  const schema = lexicographicSortSchema(await createSchema());
  const body = (text: string) => text.replace(/^#.*\n/gm, "").trim();
  assert.equal(
    body(printSchema(schema)),
    body(readFileSync(committed, "utf8")),
    "schema.graphql is stale: run `pnpm --filter @notify/api emit-schema` and commit it",
  );
});
