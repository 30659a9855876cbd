import "reflect-metadata";
import { pino } from "pino";
import { createDb } from "@notify/db";
import { webPushEgressPolicy } from "@notify/egress";
import { closeDeliveryQueues, connectRedis, createBroadcastQueue, createDeliveryQueues, redactUrl } from "@notify/jobs";
import { loadEnv } from "./env.js";
import { configureSmsPolicy } from "./notifications/channel-content.js";
import { startApiServer } from "./server.js";
import { createServices } from "./services.js";

const env = loadEnv();
const log = pino({ name: "api", level: env.LOG_LEVEL });
configureSmsPolicy({ maxSegments: env.SMS_MAX_SEGMENTS });

const redis = await connectRedis(env.REDIS_URL).catch((err: Error) => {
  log.fatal(`Cannot use Redis at ${redactUrl(env.REDIS_URL)}: ${err.message}`);
  process.exit(1);
});
const db = createDb({ url: env.DATABASE_URL, max: env.DB_POOL_SIZE });
await db.$queryRaw`SELECT 1`.catch((err: Error) => {
  log.fatal(`Cannot reach Postgres at ${redactUrl(env.DATABASE_URL)}: ${err.message}`);
  process.exit(1);
});
const queues = createDeliveryQueues(redis);
const broadcastQueue = createBroadcastQueue(redis);
// Web Push endpoints: the real push services, plus the simulator in sandbox mode only.
const webPushEgress = webPushEgressPolicy({ sandbox: env.NOTIFY_MODE === "sandbox" ? { host: env.SANDBOX_HOST, port: env.SANDBOX_WEBPUSH_PORT } : undefined });
const services = createServices(db, { ...queues, broadcast: broadcastQueue }, log, redis, {
  appTokenSecret: env.APP_TOKEN_SECRET,
  webPushEgress,
  tokenLimits: { perTokenPerMinute: env.RECIPIENT_TOKEN_SENDS_PER_MINUTE, perRecipientPerHour: env.RECIPIENT_TOKEN_SENDS_PER_HOUR },
  renderPool: { size: env.RENDER_POOL_SIZE, timeoutMs: env.RENDER_TIMEOUT_MS },
});
const api = await startApiServer({ db, redis, services, log, env }, { host: env.API_HOST, port: env.API_PORT }).catch(
  (err: NodeJS.ErrnoException) => {
    log.fatal(err.code === "EADDRINUSE" ? `Cannot listen on ${env.API_HOST}:${env.API_PORT}: the port is in use (set API_PORT to another)` : err.message);
    process.exit(1);
  },
);
log.info(`API listening on ${api.url}/graphql`);

async function shutdown(signal: string) {
  log.info({ signal }, "shutting down");
  // Closing waits on Postgres and Redis; if one of them is gone it would wait for ever.
  setTimeout(() => {
    log.error(`shutdown did not finish within ${env.SHUTDOWN_TIMEOUT_MS} ms; exiting anyway`);
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_MS).unref();
  await api.close();
  await services.templates.close();
  await closeDeliveryQueues(queues);
  await broadcastQueue.close();
  await db.$disconnect();
  redis.disconnect();
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
