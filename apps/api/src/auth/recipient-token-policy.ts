import type { Db } from "@notify/db";
import { CronError, shortestCronInterval, type RedisConnection } from "@notify/jobs";
import { Channel } from "@notify/db";
import { type RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError, ForbiddenError, InputError } from "../errors.js";
import { sharedLimiter } from "./rate-limit.js";

/** A token-made recurring schedule fires at most once an hour... */
export const TOKEN_SCHEDULE_MIN_INTERVAL_MS = 3_600_000;
/** ...and a recipient has at most this many active ones made by tokens. */
export const TOKEN_SCHEDULES_PER_RECIPIENT = 5;

const CHANNELS = Object.keys(Channel).length;

export interface RecipientTokenLimits {
  /** Notifications one token may send per minute (one per channel of each send). */
  perTokenPerMinute: number;
  /** Notifications all tokens of one recipient may send per hour. */
  perRecipientPerHour: number;
}

/** The parts of a send request (sendNotification's input, a recurring schedule's request) the policy reads. */
interface SendRequest {
  channels?: unknown;
  content?: unknown;
  template?: { key?: unknown } | null;
}

/**
 * What a client app holding a recipient token may send. The app's backend decides which content a
 * client may trigger (templates it marks clientSendable); a token never supplies content itself,
 * since that would let anyone with a token send any text or HTML from the platform's sender. Every
 * send is counted against the token and against its recipient in Redis, per field execution (the
 * principal guard calls this once per resolved field, so aliases in one request count each), and
 * recurring schedules have a floor on how often they fire.
 */
export class RecipientTokenPolicy {
  private readonly perToken: RateLimiterRedis;
  private readonly perRecipient: RateLimiterRedis;

  constructor(
    private readonly db: Db,
    redis: RedisConnection,
    limits: RecipientTokenLimits,
  ) {
    this.perToken = sharedLimiter(redis, { keyPrefix: "{notify}:token-sends", points: limits.perTokenPerMinute, duration: 60 });
    this.perRecipient = sharedLimiter(redis, { keyPrefix: "{notify}:recipient-token-sends", points: limits.perRecipientPerHour, duration: 3600 });
  }

  /**
   * Refuses inline content and templates the app has not marked client-sendable (an unknown key
   * answers the same, so a token cannot probe which templates exist). Returns what the send costs:
   * one per channel named, else one per channel the template has content for.
   */
  async admitSend(appId: string, request: SendRequest | undefined, field: string): Promise<number> {
    if (request?.content != null)
      throw new ForbiddenError(`A recipient token cannot send inline content; send a template the app marked clientSendable (${field}.template)`, "INLINE_CONTENT");
    const key = request?.template?.key;
    if (typeof key !== "string") throw new InputError("MISSING_CONTENT", "A recipient token sends a template: give template.key", `${field}.template`);
    const template = await this.db.template.findUnique({
      where: { appId_key: { appId, key } },
      select: { clientSendable: true, publishedVersion: { select: { content: true } } },
    });
    if (!template?.clientSendable)
      throw new ForbiddenError(`Template ${JSON.stringify(key)} is not one the app lets recipient tokens send (clientSendable)`, "TEMPLATE_NOT_CLIENT_SENDABLE");
    const channels = request?.channels;
    if (Array.isArray(channels)) return Math.min(Math.max(channels.length, 1), CHANNELS);
    const locales = Object.values((template.publishedVersion?.content ?? {}) as Record<string, Record<string, unknown>>);
    return Math.max(new Set(locales.flatMap((l) => Object.keys(l))).size, 1);
  }

  /** Takes `points` from the token's and the recipient's budgets, or refuses with RATE_LIMITED. */
  async consume(appId: string, recipientExternalId: string, tokenId: string, points: number): Promise<void> {
    await take(this.perToken, `${appId}:${tokenId}`, points, "this recipient token");
    await take(this.perRecipient, `${appId}:${recipientExternalId}`, points, "this recipient's tokens");
  }

  /** A token-made recurring schedule may not fire more often than once an hour. */
  assertRecurringInterval(input: { cron?: unknown; timezone?: unknown } | undefined, field: string): void {
    if (typeof input?.cron !== "string" || typeof input.timezone !== "string") return; // the argument validation answers
    let shortest: number;
    try {
      shortest = shortestCronInterval(input.cron, input.timezone);
    } catch (err) {
      if (err instanceof CronError) throw new InputError(err.reason, err.message, err.reason === "INVALID_TIMEZONE" ? `${field}.timezone` : `${field}.cron`);
      throw err;
    }
    if (shortest < TOKEN_SCHEDULE_MIN_INTERVAL_MS)
      throw new InputError(
        "CRON_TOO_FREQUENT",
        `A recipient token's schedule may fire at most once every ${TOKEN_SCHEDULE_MIN_INTERVAL_MS / 60_000} minutes; ${JSON.stringify(input.cron)} fires ${Math.round(shortest / 1000)} s apart`,
        `${field}.cron`,
      );
  }
}

async function take(limiter: RateLimiterRedis, key: string, points: number, what: string): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (res) {
    // No HTTP 429 here, unlike the per-key limit: other fields of the same request may have been
    // sent, and a client retrying the whole request on a 429 would send those twice.
    if (res instanceof RateLimiterRes)
      throw new ApiError("RATE_LIMITED", `Too many sends through ${what}; retry in ${res.msBeforeNext} ms`, { retryAfterMs: res.msBeforeNext });
    throw res;
  }
}
