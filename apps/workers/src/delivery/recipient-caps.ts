import type { RedisConnection } from "@notify/jobs";
import type { QueuedChannel } from "@notify/jobs";
import { parseChannelList, parseCountPerDuration } from "../channel-settings.js";

export interface RecipientCap {
  max: number;
  windowMs: number;
}

/** RECIPIENT_CAPS="SMS=5/1d,EMAIL=50/1h": at most 5 SMS per recipient in any 24 hours, etc. */
export function parseRecipientCaps(spec: string | undefined): Partial<Record<QueuedChannel, RecipientCap>> {
  return parseChannelList("RECIPIENT_CAPS", spec, "SMS=5/1d", parseCountPerDuration);
}

/**
 * A sliding-window log per (channel, recipient): a sorted set of the notifications that took a
 * slot, scored by when. Atomic in one script, so workers in every process share the count, and
 * timed by Redis' own clock, so skew between worker hosts does not let extra messages through.
 * A notification that already holds a slot (a retry, or a run after a lost worker) keeps it.
 * Returns -1 when the slot is taken, else the milliseconds until the oldest slot frees.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return -1 end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return -1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(0, tonumber(oldest[2]) + window - now)
`;

/**
 * Anti-spam caps per recipient per channel, checked by the worker just before the hand-off.
 * Over the cap a notification waits (the worker defers it until a slot frees); it is never
 * dropped. Counters live in Redis: a Redis restarted empty forgets them, so right after one a
 * recipient can get up to one more window's worth (documented; the cap is a courtesy limit, the
 * no-loss and no-duplicate guarantees do not depend on it).
 */
export class RecipientCaps {
  constructor(
    private readonly redis: RedisConnection,
    private readonly caps: Partial<Record<QueuedChannel, RecipientCap>>,
  ) {}

  capOf(channel: QueuedChannel): RecipientCap | undefined {
    return this.caps[channel];
  }

  /** Takes a slot for this notification: null if it may go now, else how long to wait (ms). */
  async reserve(channel: QueuedChannel, recipientId: string, notificationId: string): Promise<number | null> {
    const cap = this.caps[channel];
    if (!cap) return null;
    const wait = (await this.redis.eval(RESERVE, 1, key(channel, recipientId), cap.windowMs, cap.max, notificationId)) as number;
    return wait < 0 ? null : wait;
  }

  /** Gives the slot back when nothing reached the recipient (the attempt failed). */
  async release(channel: QueuedChannel, recipientId: string, notificationId: string): Promise<void> {
    if (this.caps[channel]) await this.redis.zrem(key(channel, recipientId), notificationId);
  }
}

function key(channel: QueuedChannel, recipientId: string): string {
  return `{notify}:recipient-cap:${channel}:${recipientId}`;
}

/**
 * Everyone waiting for the same recipient would wake when the same slot frees; a little jitter
 * spreads them (at most a tenth of the window, at most a minute).
 */
export function capWakeUp(waitMs: number, cap: RecipientCap, now = Date.now()): Date {
  return new Date(now + waitMs + 50 + Math.random() * Math.min(cap.windowMs / 10, 60_000));
}
