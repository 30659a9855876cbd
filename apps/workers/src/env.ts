import { z } from "zod";

const EnvSchema = z.object({
  /** The process-wide mode, as the API reads it (apps/api/src/env.ts): sandbox (default) or production. */
  NOTIFY_MODE: z.enum(["sandbox", "production"]).default("sandbox"),
  DATABASE_URL: z.string().default("postgresql://postgres@127.0.0.1:5432/notify"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  DB_POOL_SIZE: z.coerce.number().int().positive().default(20),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Comma-separated channels this process serves; all by default. */
  WORKER_CHANNELS: z.string().default("IOS_PUSH,ANDROID_PUSH,SMS,EMAIL,WEB_PUSH"),
  WORKER_HEALTH_HOST: z.string().default("127.0.0.1"),
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(4020),

  /** Outbox sweeper: how often, and how old a PENDING/QUEUED (or SENDING) row must be to be swept. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
  SWEEP_GRACE_MS: z.coerce.number().int().nonnegative().default(30_000),
  /** Subscribers per broadcast fan-out page (one transaction, one addBulk per channel). */
  BROADCAST_PAGE_SIZE: z.coerce.number().int().min(1).max(5_000).default(1_000),
  SWEEP_SENDING_TIMEOUT_MS: z.coerce.number().int().positive().default(5 * 60_000),
  /** How often the recurring-schedule ticker looks for due schedules (cron has 1 s resolution at best). */
  RECURRING_TICK_MS: z.coerce.number().int().positive().default(1_000),

  /** Provider account limits shared by all worker processes, e.g. "SMS=100/1s,EMAIL=50/1s". */
  PROVIDER_RATE_LIMITS: z.string().optional(),
  /** Per-recipient anti-spam caps, e.g. "SMS=5/1d,EMAIL=50/1h"; over a cap a notification waits for a free slot. */
  RECIPIENT_CAPS: z.string().optional(),
  /** Attempts per channel before a notification is dead-lettered, e.g. "SMS=10"; defaults in @notify/jobs CHANNEL_POLICIES. */
  RETRY_MAX_ATTEMPTS: z.string().optional(),
  /** How long after it became due a notification is still retried, e.g. "IOS_PUSH=1h,EMAIL=3d"; defaults in CHANNEL_POLICIES. */
  RETRY_MAX_AGE: z.string().optional(),
  /** On SIGTERM, how long in-flight jobs get to finish; the sweeper recovers any still running after that. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /**
   * Batch sending (FCM sendEach, Postmark /email/batch): how long a send waits for others of the
   * same channel to share one provider call; 0 sends each message on its own.
   */
  DELIVERY_BATCH_WAIT_MS: z.coerce.number().int().nonnegative().max(5_000).default(20),
  /** The most messages per batch call; the provider's own limit (500 for both) when unset. */
  DELIVERY_BATCH_MAX: z.coerce.number().int().min(2).optional(),
  /**
   * The delivery path's Postgres writes (claim, attempts, outcome) are batched across a channel
   * worker's concurrent jobs: how long a write waits for others to join it (0: the same event
   * loop turn only), and the most notifications per statement.
   */
  LEDGER_BATCH_WAIT_MS: z.coerce.number().int().nonnegative().max(1_000).default(5),
  LEDGER_BATCH_MAX: z.coerce.number().int().positive().max(1_000).default(200),
  /** Overrides every channel's base retry backoff (tests use a few ms). */
  DELIVERY_BACKOFF_BASE_MS: z.coerce.number().int().positive().optional(),

  EMAIL_FROM: z.string().default("Notify Sandbox <sandbox@notify.example>"),
  /** Public base URL of the API, for provider callbacks (Twilio status, Postmark webhooks). */
  PUBLIC_API_URL: z.string().default("http://127.0.0.1:4000"),
  /** Signs the List-Unsubscribe links in emails; the same value in API and workers. Required in production. */
  UNSUBSCRIBE_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /** Sandbox mode without UNSUBSCRIBE_SECRET: the per-install random secret kept here (made on first use, shared with the API). */
  UNSUBSCRIBE_SECRET_FILE: z.string().default(".data/unsubscribe-secret"),
  /** Mailbox that processes unsubscribe requests by email; List-Unsubscribe offers only the https link without it. */
  UNSUBSCRIBE_MAILTO: z.string().email().optional(),

  // Real provider credentials: a provider whose credentials are absent runs in sandbox mode.
  POSTMARK_SERVER_TOKEN: z.string().optional(),
  POSTMARK_API_HOST: z.string().default("api.postmarkapp.com"),
  POSTMARK_MESSAGE_STREAM: z.string().optional(),
  /** APNs token auth: the .p8 key as PEM text (or APNS_KEY_FILE, its path), with its key id, team id and the app's bundle id. */
  APNS_KEY_P8: z.string().optional(),
  APNS_KEY_FILE: z.string().optional(),
  APNS_KEY_ID: z.string().optional(),
  APNS_TEAM_ID: z.string().optional(),
  APNS_BUNDLE_ID: z.string().optional(),
  /** api.push.apple.com when true; Apple's sandbox host (development builds of the app) otherwise. */
  APNS_PRODUCTION: z.stringbool().default(false),
  /** The Firebase service account's JSON key: its path, or the JSON text itself. */
  FCM_SERVICE_ACCOUNT_FILE: z.string().optional(),
  FCM_SERVICE_ACCOUNT_JSON: z.string().optional(),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  /** The sender: one of the account's numbers, or a Messaging Service (which wins when both are set). */
  TWILIO_FROM_NUMBER: z.string().optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().optional(),
  VAPID_PUBLIC_KEY: z.string().optional(),
  VAPID_PRIVATE_KEY: z.string().optional(),
  /** mailto: or https: contact for push services (RFC 8292). */
  VAPID_SUBJECT: z.string().optional(),

  // Sandbox mode: where the simulators listen and the credentials file they share with us.
  SANDBOX_HOST: z.string().default("127.0.0.1"),
  SANDBOX_CREDENTIALS_FILE: z.string().default(".data/sandbox/credentials.json"),
  SANDBOX_POSTMARK_PORT: z.coerce.number().int().default(4011),
  SANDBOX_TWILIO_PORT: z.coerce.number().int().default(4012),
  SANDBOX_APNS_PORT: z.coerce.number().int().default(4013),
  SANDBOX_FCM_PORT: z.coerce.number().int().default(4014),
  SANDBOX_WEBPUSH_PORT: z.coerce.number().int().default(4015),
});

export type WorkerEnv = z.infer<typeof EnvSchema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid worker environment:\n${problems}`);
  }
  return parsed.data;
}
