import type { RedisConnection } from "@notify/jobs";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimitedError } from "../errors.js";

/**
 * Requests per second per API key, counted in Redis so the limit holds across every API
 * process. If Redis is unreachable the per-process memory limiter takes over: sends must keep
 * being accepted (they are safe in Postgres) while Redis is down.
 */
export class ApiKeyRateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: RedisConnection, perSecond: number) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: "{notify}:api-rate",
      points: perSecond,
      duration: 1,
      insuranceLimiter: new RateLimiterMemory({ points: perSecond, duration: 1 }),
    });
  }

  async check(apiKeyId: string): Promise<void> {
    try {
      await this.limiter.consume(apiKeyId);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw new RateLimitedError(res.msBeforeNext);
      throw res;
    }
  }
}
