import type { ApiScope } from "@notify/db";
import type { RedisConnection } from "@notify/jobs";
import type { Logger } from "pino";

/** What verification needs of a key row; kept in process for at most `ttlMs`. */
export interface CachedKey {
  id: string;
  appId: string;
  appKey: string;
  secretHash: string;
  scopes: ApiScope[];
  revokedAt: Date | null;
  expiresAt: Date | null;
}

const CHANNEL = "{notify}:api-key-changed";

/**
 * Key rows cached per process, so authenticating is not a query on every request. Two bounds
 * keep a revocation effective everywhere within a second: entries live at most `ttlMs` (under a
 * second; counted from when their query started, so a read racing the revocation cannot outlive
 * it), and a revocation published on Redis drops the entry in every API process at once. The
 * TTL alone keeps the promise when Redis pub/sub is down.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { row: CachedKey | null; loadedAt: number }>();
  private subscriber?: RedisConnection;

  constructor(
    private readonly ttlMs = 500,
    private readonly redis?: RedisConnection,
    private readonly log?: Logger,
  ) {}

  /** Listens for other processes' revocations; resolves once subscribed. */
  async listen(): Promise<void> {
    if (!this.redis) return;
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on("error", (err: Error) => this.log?.warn({ err }, "api-key invalidation subscriber"));
    sub.on("message", (_channel: string, appKey: string) => this.entries.delete(appKey));
    if (sub.status === "wait") await sub.connect();
    await sub.subscribe(CHANNEL);
  }

  async get(appKey: string, load: () => Promise<CachedKey | null>): Promise<CachedKey | null> {
    const now = Date.now();
    const hit = this.entries.get(appKey);
    if (hit && now - hit.loadedAt < this.ttlMs) return hit.row;
    const row = await load();
    // Bounded: unknown keys are cached too (a flood of made-up keys must not grow it for ever).
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(appKey, { row, loadedAt: now });
    return row;
  }

  /** Drops the key here and tells every other API process to. */
  async invalidate(appKey: string): Promise<void> {
    this.entries.delete(appKey);
    await this.redis?.publish(CHANNEL, appKey).catch((err: Error) => this.log?.warn({ err }, "could not publish an api-key invalidation; other processes see it within the cache TTL"));
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
  }
}
