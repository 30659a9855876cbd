import { Redis } from "ioredis";

/**
 * Opens the connection BullMQ needs (maxRetriesPerRequest: null so blocking commands survive
 * reconnects) and refuses to go on if Redis could evict queue keys under memory pressure:
 * an evicted job is a lost notification.
 */
export async function connectRedis(url: string, { requireNoEviction = true } = {}): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  await redis.connect();
  if (requireNoEviction) {
    try {
      await assertNoEviction(redis, url);
    } catch (err) {
      redis.disconnect();
      throw err;
    }
  }
  return redis;
}

/** Thrown when Redis may evict keys; the message says what to change. */
export class EvictionPolicyError extends Error {}

/**
 * Reads the policy from INFO, which managed Redis services (ElastiCache, Memorystore…) allow even
 * where they disable CONFIG; CONFIG GET is the fallback for servers whose INFO lacks the field.
 */
export async function maxmemoryPolicy(redis: Redis): Promise<string | undefined> {
  const fromInfo = /^maxmemory_policy:(\S+)/m.exec(await redis.info("memory"))?.[1];
  if (fromInfo) return fromInfo;
  const reply = (await redis.config("GET", "maxmemory-policy").catch(() => [])) as string[];
  return reply[1];
}

export async function assertNoEviction(redis: Redis, url: string): Promise<void> {
  const policy = await maxmemoryPolicy(redis);
  if (policy === "noeviction") return;
  const found = policy === undefined ? "an unknown maxmemory-policy (neither INFO nor CONFIG GET reports it)" : `maxmemory-policy=${policy}`;
  throw new EvictionPolicyError(
    `Redis at ${redactUrl(url)} has ${found}; under memory pressure it could evict queued jobs, and an evicted job is a lost notification. ` +
      `Set "maxmemory-policy noeviction" (redis.conf, --maxmemory-policy noeviction, CONFIG SET maxmemory-policy noeviction, or your provider's parameter group) and start again.`,
  );
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
