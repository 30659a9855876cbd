import type { RedisConnection } from "@notify/jobs";
import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimitedError } from "../errors.js";
import { sharedLimiter } from "./rate-limit.js";

export interface AuthThrottleOptions {
  /** Failed authentications allowed per source address in `windowSeconds`. */
  perAddress: number;
  /** Failed authentications allowed per appKey (from any address) in `windowSeconds`. */
  perKey: number;
  windowSeconds: number;
  /** How long an address or key that went over stays refused. */
  blockSeconds: number;
}

/**
 * Counts failed authentications in Redis (so every API process shares the count) per source
 * address and per appKey. Once either is over its budget, every attempt from that address, or
 * with that key, is refused with 429 before it is checked, a correct secret included: otherwise
 * a guesser would still learn when a guess is right.
 */
export class AuthThrottle {
  private readonly byAddress: RateLimiterAbstract;
  private readonly byKey: RateLimiterAbstract;

  constructor(redis: RedisConnection, private readonly options: AuthThrottleOptions) {
    const make = (prefix: string, points: number) =>
      sharedLimiter(redis, { keyPrefix: `{notify}:auth-fail:${prefix}`, points, duration: options.windowSeconds, blockDuration: options.blockSeconds });
    this.byAddress = make("addr", options.perAddress);
    this.byKey = make("key", options.perKey);
  }

  /** Throws RATE_LIMITED when the address or the key is refused for now. */
  async assertAllowed(address: string, appKey?: string): Promise<void> {
    const [addr, key] = await Promise.all([this.byAddress.get(address), appKey ? this.byKey.get(appKey) : null]);
    if (addr && addr.consumedPoints > this.options.perAddress) throw tooMany(addr, "this address");
    if (key && key.consumedPoints > this.options.perKey) throw tooMany(key, "this appKey");
  }

  /** Counts one failure; the one that goes over the budget is already answered 429. */
  async recordFailure(address: string, appKey?: string): Promise<void> {
    const results = await Promise.allSettled([this.byAddress.consume(address), appKey ? this.byKey.consume(appKey) : Promise.resolve(null)]);
    for (const [i, r] of results.entries()) {
      if (r.status === "rejected") {
        if (r.reason instanceof RateLimiterRes) throw tooMany(r.reason, i === 0 ? "this address" : "this appKey");
        throw r.reason;
      }
    }
  }
}

function tooMany(res: RateLimiterRes, who: string): RateLimitedError {
  const ms = Math.max(1, res.msBeforeNext);
  return new RateLimitedError(ms, `Too many failed authentications from ${who}; retry in ${Math.ceil(ms / 1000)} s`);
}
