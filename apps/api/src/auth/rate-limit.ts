import type { RedisConnection } from "@notify/jobs";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimitedError } from "../errors.js";

/**
 * A budget of cost units (graphql/cost.ts) per caller per window, counted in Redis so it holds
 * across every API process. Operations spend their estimated cost once parsed, so aliases and
 * bulk sends pay for what they ask. If Redis is unreachable the per-process memory limiter takes
 * over: sends must keep being accepted (they are safe in Postgres) while Redis is down.
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
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `{notify}:api-cost:${prefix}`,
      points: budget,
      duration: windowSeconds,
      insuranceLimiter: new RateLimiterMemory({ points: budget, duration: windowSeconds }),
    });
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
