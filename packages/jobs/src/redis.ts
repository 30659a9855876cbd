import { Cluster, Redis } from "ioredis";

/** One Redis server or a Redis Cluster: BullMQ, the rate limiters and the caps take either. */
export type RedisConnection = Redis | Cluster;

/**
 * Opens the connection BullMQ needs (maxRetriesPerRequest: null so blocking commands survive
 * reconnects) and refuses to go on if Redis could evict queue keys under memory pressure:
 * an evicted job is a lost notification.
 *
 * `redis://…` / `rediss://…` is one server; `redis-cluster://[user:password@]host:port,host:port`
 * (or `rediss-cluster://` for TLS) is a Redis Cluster reached through any of the listed nodes.
 */
export async function connectRedis(url: string, { requireNoEviction = true } = {}): Promise<RedisConnection> {
  const redis = openRedis(url);
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

function openRedis(url: string): RedisConnection {
  const cluster = /^(rediss?)-cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)/.exec(url);
  if (!cluster) return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  const [, scheme, username, password, hosts] = cluster;
  const nodes = hosts!.split(",").map((hostPort) => {
    const [host, port] = hostPort.split(":");
    return { host: host!, port: Number(port ?? 6379) };
  });
  return new Cluster(nodes, {
    lazyConnect: true,
    redisOptions: {
      maxRetriesPerRequest: null,
      username: username ? decodeURIComponent(username) : undefined,
      password: password ? decodeURIComponent(password) : undefined,
      tls: scheme === "rediss" ? {} : undefined,
    },
  });
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

/** Every master of a cluster holds queue keys, so every master must keep them. */
export async function assertNoEviction(redis: RedisConnection, url: string): Promise<void> {
  const servers = redis instanceof Cluster ? redis.nodes("master") : [redis];
  if (servers.length === 0) throw new EvictionPolicyError(`Redis Cluster at ${redactUrl(url)} reports no master nodes`);
  const policies = await Promise.all(servers.map((server) => maxmemoryPolicy(server)));
  const offending = policies.findIndex((p) => p !== "noeviction");
  if (offending < 0) return;
  const policy = policies[offending];
  const found = policy === undefined ? "an unknown maxmemory-policy (neither INFO nor CONFIG GET reports it)" : `maxmemory-policy=${policy}`;
  throw new EvictionPolicyError(
    `Redis at ${redactUrl(url)} has ${found}; under memory pressure it could evict queued jobs, and an evicted job is a lost notification. ` +
      `Set "maxmemory-policy noeviction" (redis.conf, --maxmemory-policy noeviction, CONFIG SET maxmemory-policy noeviction, or your provider's parameter group) and start again.`,
  );
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
