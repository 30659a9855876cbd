import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestDatabase } from "./harness/databases.js";
import { privateServicesAvailable, startPrivateRedis, type PrivateRedis } from "./harness/private-services.js";
import { freePort, runUntilExit } from "./harness/processes.js";

const available = privateServicesAvailable();


// A private redis-server: the policy is server-wide, so the shared one must not be touched.
describe("Redis that may evict keys is refused at start-up", { skip: available.ok ? false : `needs ${available.missing.join(", ")}` }, () => {
  let redis: PrivateRedis;
  let database: { url: string; drop(): Promise<void> };

  before(async () => {
    redis = await startPrivateRedis({ maxmemoryPolicy: "allkeys-lru" });
    database = await createTestDatabase();
  });
  after(async () => {
    await redis?.stop();
    await database?.drop();
  });

  for (const [name, script] of [
    ["api", "apps/api/dist/main.js"],
    ["workers", "apps/workers/dist/main.js"],
  ] as const) {
    test(`${name} exits with a message naming the policy and the fix`, async () => {
      const port = String(await freePort());
      const { code, output } = await runUntilExit(name, script, {
        REDIS_URL: redis.url,
        DATABASE_URL: database.url,
        API_PORT: port,
        WORKER_HEALTH_PORT: port,
        LOG_LEVEL: "info",
      });
      assert.equal(code, 1, output);
      assert.match(output, /maxmemory-policy=allkeys-lru/);
      assert.match(output, /noeviction/);
      assert.doesNotMatch(output, /listening|workers running/, "it must not have started serving");
    });
  }
});
