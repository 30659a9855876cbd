import type { RedisConnection } from "@notify/jobs";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimitedError } from "../errors.js";

/**
 * A limiter counted in Redis, so a limit holds across every API process. While Redis is
 * unreachable a per-process memory limiter with the same settings takes over: sends must keep
 * being accepted (they are safe in Postgres), neither unlimited nor all refused.
 */
export function sharedLimiter(
  redis: RedisConnection,
  options: { keyPrefix: string; points: number; duration: number; blockDuration?: number },
): RateLimiterRedis {
  const { keyPrefix, points, duration, blockDuration } = options;
  const limits = { points, duration, ...(blockDuration !== undefined ? { blockDuration } : {}) };
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, ...limits, insuranceLimiter: new RateLimiterMemory(limits) });
}

/**
 * A budget of cost units (graphql/cost.ts) per caller per window (a sharedLimiter). Operations
 * spend their estimated cost once parsed, so aliases and bulk sends pay for what they ask.
 */
export class CostRateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: RedisConnection,
    /** Units per window; what a caller may spend in one burst, too. */
    readonly budget: number,
    windowSeconds: number,
    prefix: string,
  ) {
    this.limiter = sharedLimiter(redis, { keyPrefix: `{notify}:api-cost:${prefix}`, points: budget, duration: windowSeconds });
  }

  /** Spends `cost` of `key`'s budget, or RATE_LIMITED (HTTP 429) with when to retry. */
  async spend(key: string, cost: number): Promise<void> {
    try {
      await this.limiter.consume(key, cost);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        const ms = res.msBeforeNext;
        throw new RateLimitedError(ms, `Rate limit: this operation costs ${cost} and the caller's budget of ${this.budget} for the current window is spent; retry in ${ms} ms`, { cost, budget: this.budget });
      }
      throw res;
    }
  }
}
