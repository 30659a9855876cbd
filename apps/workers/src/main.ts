import { pino } from "pino";
import type { Worker } from "bullmq";
import { createDb } from "@notify/db";
import { closeDeliveryQueues, connectRedis, createDeliveryQueues, Enqueuer, QUEUED_CHANNELS, redactUrl, type QueuedChannel } from "@notify/jobs";
import { startBroadcastFanout } from "./broadcasts/fanout.js";
import { startChannelWorker } from "./channel-worker.js";
import { loadEnv } from "./env.js";
import { unsubscribeSecret } from "@notify/preferences";
import { startHealthServer } from "./health.js";
import { createProviders } from "./providers/registry.js";
import { RecurringTicker } from "./recurring-ticker.js";
import { Sweeper } from "./sweeper.js";
import { parseProviderRateLimits } from "./rate-limits.js";
import { parseRecipientCaps, RecipientCaps } from "./delivery/recipient-caps.js";
import { retryPolicies } from "./delivery/retry-budget.js";

const env = loadEnv();
const log = pino({ name: "workers", level: env.LOG_LEVEL });

const redis = await connectRedis(env.REDIS_URL).catch((err: Error) => {
  log.fatal(`Cannot use Redis at ${redactUrl(env.REDIS_URL)}: ${err.message}`);
  process.exit(1);
});
const db = createDb({ url: env.DATABASE_URL, max: env.DB_POOL_SIZE });
await db.$queryRaw`SELECT 1`.catch((err: Error) => {
  log.fatal(`Cannot reach Postgres at ${redactUrl(env.DATABASE_URL)}: ${err.message}`);
  process.exit(1);
});
const providers = await createProviders(env, log).catch((err: Error) => {
  log.fatal(err.message);
  process.exit(1);
});

const { limits, caps, retry } = (() => {
  try {
    return {
      limits: parseProviderRateLimits(env.PROVIDER_RATE_LIMITS),
      caps: parseRecipientCaps(env.RECIPIENT_CAPS),
      retry: retryPolicies(env.RETRY_MAX_ATTEMPTS, env.RETRY_MAX_AGE),
    };
  } catch (err) {
    log.fatal((err as Error).message);
    process.exit(1);
  }
})();
const unsubscribe = (() => {
  try {
    const { secret, generated } = unsubscribeSecret({ configured: env.UNSUBSCRIBE_SECRET, mode: env.NOTIFY_MODE, sandboxFile: env.UNSUBSCRIBE_SECRET_FILE });
    if (generated) log.info(`UNSUBSCRIBE_SECRET is not set; sandbox mode signs unsubscribe links with this install's random secret in ${env.UNSUBSCRIBE_SECRET_FILE}`);
    return { publicApiUrl: env.PUBLIC_API_URL, secret, mailto: env.UNSUBSCRIBE_MAILTO };
  } catch (err) {
    log.fatal((err as Error).message);
    process.exit(1);
  }
})();

const wanted = env.WORKER_CHANNELS.split(",").map((c) => c.trim()).filter(Boolean) as QueuedChannel[];
const workers: Worker[] = [];
const recipientCaps = Object.keys(caps).length ? new RecipientCaps(redis, caps) : undefined;
for (const channel of wanted) {
  if (!QUEUED_CHANNELS.includes(channel)) {
    log.fatal(`WORKER_CHANNELS names unknown channel ${channel}; known: ${QUEUED_CHANNELS.join(", ")}`);
    process.exit(1);
  }
  const provider = providers[channel];
  if (!provider) {
    log.warn(`${channel}: no provider adapter configured; its queue is not consumed by this process`);
    continue;
  }
  workers.push(
    startChannelWorker({
      channel,
      provider: provider as never,
      db,
      connection: redis,
      defaults: { emailFrom: env.EMAIL_FROM, smsStatusCallbackUrl: `${env.PUBLIC_API_URL}/webhooks/twilio/status`, unsubscribe },
      log,
      backoffBaseMs: env.DELIVERY_BACKOFF_BASE_MS,
      limiter: limits[channel],
      retry: retry[channel],
      caps: recipientCaps,
      batching: { waitMs: env.DELIVERY_BATCH_WAIT_MS, maxSize: env.DELIVERY_BATCH_MAX },
      ledger: { waitMs: env.LEDGER_BATCH_WAIT_MS, maxBatch: env.LEDGER_BATCH_MAX },
    }),
  );
}
const queues = createDeliveryQueues(redis);
const sweeper = new Sweeper(db, queues, log, { intervalMs: env.SWEEP_INTERVAL_MS, graceMs: env.SWEEP_GRACE_MS, sendingTimeoutMs: env.SWEEP_SENDING_TIMEOUT_MS }, redis);
sweeper.start();
const enqueuer = new Enqueuer(db, queues, log);
// Recurring schedules become notifications here; one worker process ticks at a time.
const ticker = new RecurringTicker(db, enqueuer, log, { intervalMs: env.RECURRING_TICK_MS });
ticker.start();
// Topic broadcasts fan out here, in pages, never in an API request.
const fanout = startBroadcastFanout({
  db,
  connection: redis,
  enqueuer,
  log,
  pageSize: env.BROADCAST_PAGE_SIZE,
  resumeIntervalMs: env.SWEEP_INTERVAL_MS,
  resumeGraceMs: env.SWEEP_GRACE_MS,
});
let draining = false;
const health = await startHealthServer({ db, redis, workers, draining: () => draining }, env.WORKER_HEALTH_HOST, env.WORKER_HEALTH_PORT).catch(
  (err: NodeJS.ErrnoException) => {
    log.fatal(
      err.code === "EADDRINUSE"
        ? `Cannot serve health checks on ${env.WORKER_HEALTH_HOST}:${env.WORKER_HEALTH_PORT}: the port is in use (each worker process on a host needs its own WORKER_HEALTH_PORT)`
        : err.message,
    );
    process.exit(1);
  },
);
log.info(`workers running for ${workers.map((w) => w.name).join(", ")}; health on http://${env.WORKER_HEALTH_HOST}:${env.WORKER_HEALTH_PORT}`);

/** Finish in-flight jobs (BullMQ waits for them), then close connections. */
async function shutdown(signal: string) {
  log.info({ signal }, "shutting down; finishing in-flight jobs");
  draining = true;
  // A job still running after this is abandoned like a crashed worker's: its notification stays
  // SENDING, fenced, until the sweeper recovers it.
  setTimeout(() => {
    log.error(`in-flight jobs did not finish within ${env.SHUTDOWN_TIMEOUT_MS} ms; exiting anyway`);
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_MS).unref();
  await Promise.all([sweeper.stop(), ticker.stop()]);
  await Promise.all([...workers.map((w) => w.close()), fanout.close()]);
  await closeDeliveryQueues(queues);
  await Promise.all(Object.values(providers).map((p) => p?.close?.()));
  health.close();
  await db.$disconnect();
  redis.disconnect();
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
