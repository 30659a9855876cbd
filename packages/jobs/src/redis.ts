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
    const [, policy] = (await redis.config("GET", "maxmemory-policy")) as [string, string];
    if (policy !== "noeviction") {
      redis.disconnect();
      throw new Error(
        `Redis at ${redactUrl(url)} has maxmemory-policy=${policy}; queued notifications could be evicted and lost. ` +
          `Set "maxmemory-policy noeviction" (CONFIG SET maxmemory-policy noeviction, or in redis.conf).`,
      );
    }
  }
  return redis;
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
