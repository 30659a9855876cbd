import { Queue, type ConnectionOptions } from "bullmq";
import { z } from "zod";
import { Channel } from "@notify/db";
import { QUEUE_PREFIX } from "./queues.js";
import { localeChain, pickLocale } from "./locale.js";

/** Fan-out jobs: one per broadcast, job id = broadcast id. */
/** Hash-tagged like the delivery queues (queues.ts): its own Redis Cluster slot. */
export const BROADCAST_QUEUE = "{broadcast-fanout}";

const renderedChannel = z.object({
  channel: z.enum(Channel),
  content: z.record(z.string(), z.unknown()),
  data: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * What a Broadcast row's `request` holds: the content already validated and rendered by the API,
 * once per locale the template has, so the fan-out only picks a variant per subscriber and copies
 * rows (the workers never re-implement rendering or validation).
 */
export const broadcastRequestSchema = z.object({
  channels: z.array(z.enum(Channel)).min(1),
  category: z.string().nullish(),
  templateVersionId: z.uuid().nullish(),
  defaultLocale: z.string(),
  /** locale → one entry per channel, in `channels` order. */
  variants: z.record(z.string(), z.array(renderedChannel)),
});
export type BroadcastRequest = z.infer<typeof broadcastRequestSchema>;

/** The variant for a subscriber's locale: exact, then language, then the default. */
export function variantFor(request: BroadcastRequest, recipientLocale: string | null): BroadcastRequest["variants"][string] {
  const available = Object.keys(request.variants);
  const locale = pickLocale(localeChain(recipientLocale, request.defaultLocale), available, () => true) ?? request.defaultLocale;
  return request.variants[locale]!;
}

export function createBroadcastQueue(connection: ConnectionOptions): Queue<{ broadcastId: string }> {
  return new Queue(BROADCAST_QUEUE, { connection, prefix: QUEUE_PREFIX });
}

/**
 * Idempotent (job id = broadcast id). Failed jobs are removed so a later enqueue by the
 * resumer can start the fan-out again; progress lives in Postgres (Broadcast.cursor).
 */
export async function enqueueBroadcast(queue: Queue<{ broadcastId: string }>, broadcastId: string): Promise<void> {
  await queue.add("fanout", { broadcastId }, { jobId: broadcastId, attempts: 10, backoff: { type: "exponential", delay: 1_000 }, removeOnComplete: true, removeOnFail: true });
}
