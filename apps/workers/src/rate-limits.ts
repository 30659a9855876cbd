import type { RateLimiterOptions } from "bullmq";
import { QUEUED_CHANNELS, type QueuedChannel } from "@notify/jobs";

/**
 * Parses `SMS=100/1s,EMAIL=50/100ms` into BullMQ limiters. BullMQ keeps the limiter's counter
 * in Redis per queue, so a limit holds for the provider account across every worker process;
 * limited jobs wait in the queue, they are never dropped.
 */
export function parseProviderRateLimits(spec: string | undefined): Partial<Record<QueuedChannel, RateLimiterOptions>> {
  const out: Partial<Record<QueuedChannel, RateLimiterOptions>> = {};
  for (const part of (spec ?? "").split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Z_]+)=(\d+)\/(\d+)(ms|s|m)?$/.exec(part);
    if (!m) throw new Error(`PROVIDER_RATE_LIMITS: "${part}" is not CHANNEL=COUNT/DURATION (e.g. SMS=100/1s)`);
    const channel = m[1] as QueuedChannel;
    if (!QUEUED_CHANNELS.includes(channel)) throw new Error(`PROVIDER_RATE_LIMITS: unknown channel ${channel}`);
    const unit = { ms: 1, s: 1000, m: 60_000 }[(m[4] ?? "ms") as "ms" | "s" | "m"];
    out[channel] = { max: Number(m[2]), duration: Number(m[3]) * unit };
  }
  return out;
}
