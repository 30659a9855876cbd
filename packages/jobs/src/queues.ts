import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import { z } from "zod";
import type { Channel } from "@notify/db";

/** Channels that go through a provider queue. IN_APP is delivered by being stored. */
export type QueuedChannel = Exclude<Channel, "IN_APP">;

export const QUEUED_CHANNELS: readonly QueuedChannel[] = ["IOS_PUSH", "ANDROID_PUSH", "SMS", "EMAIL", "WEB_PUSH"];

/** One queue per channel, so a slow provider never holds up the others. */
/**
 * The braces are Redis Cluster hash tags: every key of one queue (notify:{deliver-email}:wait,
 * …:active, …:<job id>) hashes to one slot, which BullMQ's multi-key Lua scripts require, while
 * the five queues land in different slots, so a cluster spreads them over its shards.
 */
export const QUEUE_NAMES: Record<QueuedChannel, string> = {
  IOS_PUSH: "{deliver-ios-push}",
  ANDROID_PUSH: "{deliver-android-push}",
  SMS: "{deliver-sms}",
  EMAIL: "{deliver-email}",
  WEB_PUSH: "{deliver-web-push}",
};

export const QUEUE_PREFIX = "notify";

/** A delivery job carries only the id: Postgres holds the notification itself. */
export const deliveryJobSchema = z.object({ notificationId: z.uuid() });
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

export interface ChannelPolicy {
  /**
   * Provider attempts before the notification is dead-lettered (the workers' RETRY_MAX_ATTEMPTS
   * overrides it). Counted in Postgres, so it holds across Redis restarts and sweeper re-enqueues.
   */
  attempts: number;
  /** How long after it became due a notification is still retried (RETRY_MAX_AGE overrides it). */
  maxAgeMs: number;
  /** Base of the exponential backoff between attempts. */
  backoffMs: number;
  /** Jobs a single worker process runs at once on this channel. */
  concurrency: number;
}

const HOUR = 3_600_000;

export const CHANNEL_POLICIES: Record<QueuedChannel, ChannelPolicy> = {
  // A push that arrives a day late is noise; an email two days late may still matter.
  IOS_PUSH: { attempts: 5, maxAgeMs: 6 * HOUR, backoffMs: 1_000, concurrency: 50 },
  ANDROID_PUSH: { attempts: 5, maxAgeMs: 6 * HOUR, backoffMs: 1_000, concurrency: 50 },
  WEB_PUSH: { attempts: 5, maxAgeMs: 6 * HOUR, backoffMs: 1_000, concurrency: 50 },
  SMS: { attempts: 6, maxAgeMs: 24 * HOUR, backoffMs: 2_000, concurrency: 20 },
  EMAIL: { attempts: 8, maxAgeMs: 72 * HOUR, backoffMs: 2_000, concurrency: 30 },
};

/**
 * BullMQ's own attempt limit is only a ceiling: the worker dead-letters by the budget it counts
 * in Postgres. BullMQ must not give up first (an unexpected error such as Postgres being down
 * consumes BullMQ attempts without consuming the budget), so it stays far above any policy.
 */
export const JOB_ATTEMPTS_CEILING = 100;

/**
 * The job id is the notification id, so enqueueing the same notification twice (a retried API
 * call, the outbox sweeper) is a no-op while the first job exists.
 */
export function deliveryJobOptions(channel: QueuedChannel, notificationId: string, delayMs = 0): JobsOptions {
  return {
    jobId: notificationId,
    attempts: JOB_ATTEMPTS_CEILING,
    backoff: { type: "notify" },
    delay: delayMs > 0 ? delayMs : undefined,
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

export type DeliveryQueues = Record<QueuedChannel, Queue<DeliveryJob>>;

export function createDeliveryQueues(connection: ConnectionOptions): DeliveryQueues {
  const entries = QUEUED_CHANNELS.map((c) => [c, new Queue<DeliveryJob>(QUEUE_NAMES[c], { connection, prefix: QUEUE_PREFIX })]);
  return Object.fromEntries(entries) as DeliveryQueues;
}

export async function closeDeliveryQueues(queues: DeliveryQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

export function isQueuedChannel(channel: Channel): channel is QueuedChannel {
  return channel !== "IN_APP";
}
