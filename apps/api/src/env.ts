import { z } from "zod";

/**
 * The one process-wide mode. `sandbox` (what `node scripts/start.mjs` runs, and the default):
 * development secrets and the local provider simulators are allowed. `production`: no default
 * secrets (the process refuses to start without real ones), no sandbox addresses as
 * destinations, internal errors masked, introspection off unless enabled. Every rule that
 * depends on the deployment reads this one value, the same in API, workers and console.
 */
export const Mode = z.enum(["sandbox", "production"]);
export type Mode = z.infer<typeof Mode>;

const EnvSchema = z.object({
  NOTIFY_MODE: Mode.default("sandbox"),
  DATABASE_URL: z.string().default("postgresql://postgres@127.0.0.1:5432/notify"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  API_HOST: z.string().default("127.0.0.1"),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DB_POOL_SIZE: z.coerce.number().int().positive().default(10),
  /** Public base URL of this API, as providers see it (Twilio signs callback URLs with it). */
  PUBLIC_API_URL: z.string().default("http://127.0.0.1:4000"),
  /** Sandbox mode: the simulators' credentials (webhook secrets, VAPID key) when no real ones are set. */
  SANDBOX_CREDENTIALS_FILE: z.string().default(".data/sandbox/credentials.json"),
  /** The VAPID public key browsers subscribe with (the workers sign with its private key); sandbox key when unset. */
  VAPID_PUBLIC_KEY: z.string().regex(/^[A-Za-z0-9_-]{86,88}={0,2}$/, "a base64url uncompressed P-256 public key").optional(),
  /** Verifies X-Twilio-Signature on status callbacks; the sandbox's token when absent. */
  TWILIO_AUTH_TOKEN: z.string().optional(),
  /** HTTP basic auth configured on the Postmark webhooks (set both); the sandbox's pair when absent. */
  POSTMARK_WEBHOOK_USERNAME: z.string().optional(),
  POSTMARK_WEBHOOK_PASSWORD: z.string().optional(),
  /** Signs the List-Unsubscribe links in emails; the same value as the workers'. A public dev default when unset. */
  UNSUBSCRIBE_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /**
   * Derives the per-app keys that sign recipient tokens. When unset a random one is made at start,
   * so tokens die with the process and are not shared between API instances.
   */
  APP_TOKEN_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /** Verifies the console's X-Console-Identity (the same value as the console's); unset: the console cannot call. */
  CONSOLE_IDENTITY_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /** Requests per second allowed per API key across all API processes; 0 turns the limit off. */
  API_RATE_LIMIT_PER_SECOND: z.coerce.number().int().nonnegative().default(2000),
  /** Longest SMS accepted, in billed segments (GSM-7 153 / UCS-2 67 characters each once split); Twilio's own cap is 1600 characters. */
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(20).default(10),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** On SIGTERM, how long in-flight requests get before the process exits anyway (e.g. Redis or Postgres gone). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
});

export type ApiEnv = z.infer<typeof EnvSchema>;

/** Parsed once at start-up; a bad value stops the process with a message naming the variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): ApiEnv {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid API environment:\n${problems}`);
  }
  return parsed.data;
}
