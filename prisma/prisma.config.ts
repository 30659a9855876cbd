import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

// Prisma's CLI would download a native schema engine from a host this platform's build machines
// cannot reach. engine/schema-engine.mjs speaks the native engine's stdio protocol and delegates to
// the WASM engine that ships on the npm registry (see README, "Prisma offline").
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL("./engine/schema-engine.mjs", import.meta.url));

export default defineConfig({
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  datasource: {
    url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/notify",
  },
});
