import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type RateLimiterOptions } from "bullmq";
import type { Db } from "@notify/db";
import { CHANNEL_POLICIES, deliveryJobSchema, QUEUE_NAMES, QUEUE_PREFIX, type DeliveryJob, type QueuedChannel } from "@notify/jobs";
import type { Logger } from "pino";
import { backoffDelay } from "./delivery/backoff.js";
import { deliver, type DeliveryResult } from "./delivery/deliver.js";
import { DeliveryLedger, type LedgerOptions } from "./delivery/ledger.js";
import type { MessageDefaults } from "./delivery/messages.js";
import type { RecipientCaps } from "./delivery/recipient-caps.js";
import type { RetryPolicy } from "./delivery/retry-budget.js";
import { BatchingProvider, type BatchingOptions } from "./providers/batching.js";
import type { ChannelMessages, Provider } from "./providers/provider.js";

export interface ChannelWorkerOptions<C extends QueuedChannel> {
  channel: C;
  provider: Provider<ChannelMessages[C]>;
  db: Db;
  connection: ConnectionOptions;
  defaults: MessageDefaults;
  log: Logger;
  concurrency?: number;
  backoffBaseMs?: number;
  limiter?: RateLimiterOptions;
  retry: RetryPolicy;
  caps?: RecipientCaps;
  /** Gathers this worker's concurrent sends into provider batches, for providers that have them. */
  batching?: BatchingOptions;
  /** Gathers this worker's concurrent Postgres writes into one statement each. */
  ledger: LedgerOptions;
}

/**
 * A BullMQ worker for one channel's queue, running `deliver` for each job. The jobs it holds at
 * once (up to its concurrency) call the provider through one BatchingProvider, so when several
 * are ready together they go out in one batch call where the vendor has one (FCM, Postmark), and
 * their Postgres writes share statements through one DeliveryLedger.
 */
export function startChannelWorker<C extends QueuedChannel>(opts: ChannelWorkerOptions<C>): Worker<DeliveryJob, DeliveryResult> {
  const policy = CHANNEL_POLICIES[opts.channel];
  const log = opts.log.child({ channel: opts.channel, provider: opts.provider.name });
  const provider = BatchingProvider.wrap(opts.provider, opts.batching);
  const ledger = new DeliveryLedger(opts.db, opts.ledger);
  const worker = new Worker<DeliveryJob, DeliveryResult>(
    QUEUE_NAMES[opts.channel],
    async (job, token) => {
      const parsed = deliveryJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`malformed job ${job.id}: ${parsed.error.message}`);
      return deliver(
        { db: opts.db, ledger, channel: opts.channel, provider, defaults: opts.defaults, log, retry: opts.retry, caps: opts.caps },
        parsed.data.notificationId,
        {
          attempt: job.attemptsMade + 1,
          // Quiet hours, recipient caps: the same job sleeps until then, without counting as an attempt.
          defer: async (until) => {
            await job.moveToDelayed(until.getTime(), token);
            throw new DelayedError();
          },
        },
      );
    },
    {
      connection: opts.connection,
      prefix: QUEUE_PREFIX,
      concurrency: opts.concurrency ?? policy.concurrency,
      limiter: opts.limiter,
      settings: { backoffStrategy: (attemptsMade, _type, err) => backoffDelay(attemptsMade, opts.backoffBaseMs ?? policy.backoffMs, err) },
    },
  );
  worker.on("failed", (job, err) => log.debug({ jobId: job?.id, err: err.message }, "job attempt failed"));
  worker.on("error", (err) => log.error({ err }, "worker error"));
  return worker;
}
