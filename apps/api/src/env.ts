import { availableParallelism } from "node:os";
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
  /**
   * Sandbox mode only: where the Web Push simulator listens. Its subscriptions' endpoints
   * (https://<host>:<port>/push/…) are then accepted besides the real push services'.
   */
  SANDBOX_HOST: z.string().default("127.0.0.1"),
  SANDBOX_WEBPUSH_PORT: z.coerce.number().int().min(1).max(65535).default(4015),
  /** The VAPID public key browsers subscribe with (the workers sign with its private key); sandbox key when unset. */
  VAPID_PUBLIC_KEY: z.string().regex(/^[A-Za-z0-9_-]{86,88}={0,2}$/, "a base64url uncompressed P-256 public key").optional(),
  /** Verifies X-Twilio-Signature on status callbacks; the sandbox's token when absent. */
  TWILIO_AUTH_TOKEN: z.string().optional(),
  /** HTTP basic auth configured on the Postmark webhooks (set both); the sandbox's pair when absent. */
  POSTMARK_WEBHOOK_USERNAME: z.string().optional(),
  POSTMARK_WEBHOOK_PASSWORD: z.string().optional(),
  /** Signs the List-Unsubscribe links in emails; the same value in API and workers. Required in production. */
  UNSUBSCRIBE_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /** Sandbox mode without UNSUBSCRIBE_SECRET: the per-install random secret kept here (made on first use, shared with the workers). */
  UNSUBSCRIBE_SECRET_FILE: z.string().default(".data/unsubscribe-secret"),
  /**
   * Derives the per-app keys that sign recipient tokens. When unset a random one is made at start,
   * so tokens die with the process and are not shared between API instances.
   */
  APP_TOKEN_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /** Notifications one recipient token may send per minute (each channel of a send counts). */
  RECIPIENT_TOKEN_SENDS_PER_MINUTE: z.coerce.number().int().positive().default(10),
  /** Notifications all recipient tokens of one recipient may send per hour. */
  RECIPIENT_TOKEN_SENDS_PER_HOUR: z.coerce.number().int().positive().default(30),
  /**
   * Verifies the console's X-Console-Identity JWTs (HS256; the same value as the console's).
   * Required in production; in sandbox mode, without it console identities are refused.
   */
  CONSOLE_IDENTITY_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /**
   * Express `trust proxy`: the proxies (comma-separated addresses, CIDRs or names such as
   * "loopback") whose X-Forwarded-For names the client. Unset: the socket's address is the
   * client, and X-Forwarded-For is ignored.
   */
  TRUSTED_PROXIES: z.string().optional(),
  /** Failed authentications per source address, and per appKey, allowed in AUTH_FAILURE_WINDOW_SECONDS. */
  AUTH_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(10),
  AUTH_FAILURES_PER_KEY: z.coerce.number().int().positive().default(50),
  AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  /** How long an address or key over its failure budget is refused (429). */
  AUTH_FAILURE_BLOCK_SECONDS: z.coerce.number().int().positive().default(300),
  /**
   * Cost units (graphql/cost.ts: 10 per operation, about one per row read or written, one per
   * sendBulk recipient) each API key may spend per API_COST_WINDOW_SECONDS, across all API
   * processes; 0 turns the limit off. The default, 20,000 per 10 s (2,000 a second on average,
   * i.e. about 170 small sends or 200 tiny queries a second sustained), is below what one key's
   * flood reaches on a 2-core machine, and still lets a full 10,000-recipient sendBulk through.
   */
  API_COST_BUDGET: z.coerce.number().int().nonnegative().default(20_000),
  /** The same, per recipient (all its tokens together): client apps need far less than a backend. */
  API_RECIPIENT_COST_BUDGET: z.coerce.number().int().nonnegative().default(1_000),
  API_COST_WINDOW_SECONDS: z.coerce.number().int().positive().default(10),
  /** An operation costing more is refused before it runs (a full 10,000-recipient sendBulk costs about 10,000). */
  API_MAX_OPERATION_COST: z.coerce.number().int().positive().default(12_000),
  /** Field nesting, aliases, tokens and directives allowed in one document (GraphQL Armor). */
  API_MAX_DEPTH: z.coerce.number().int().positive().default(10),
  API_MAX_ALIASES: z.coerce.number().int().nonnegative().default(30),
  API_MAX_TOKENS: z.coerce.number().int().positive().default(5_000),
  API_MAX_DIRECTIVES: z.coerce.number().int().nonnegative().default(50),
  /** Introspection (and "Did you mean" suggestions) for app callers outside sandbox mode; never for recipient tokens. */
  API_INTROSPECTION: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  /** Sandbox mode only: internal errors keep their message and a stacktrace in the answer (never in production). */
  API_DEBUG_ERRORS: z.enum(["0", "1"]).default("0").transform((v) => v === "1"),
  /** Longest SMS accepted, in billed segments (GSM-7 153 / UCS-2 67 characters each once split); Twilio's own cap is 1600 characters. */
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(20).default(10),
  /** Worker threads that render costly templates off the event loop; default: one less than the cores, at least one. */
  RENDER_POOL_SIZE: z.coerce.number().int().min(1).max(64).default(Math.max(1, availableParallelism() - 1)),
  /**
   * The last resort for a render task (budgets in deterministic units end costly renders long
   * before): a pool task running longer is aborted and its worker thread replaced.
   */
  RENDER_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
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
  if (parsed.data.NOTIFY_MODE === "production") {
    // No secret of production may be a default or a per-process random one (which would differ
    // between API processes behind one load balancer).
    const missing = [
      !parsed.data.CONSOLE_IDENTITY_SECRET && "  CONSOLE_IDENTITY_SECRET: required in production (at least 32 characters, the same value as the console's)",
      !parsed.data.APP_TOKEN_SECRET && "  APP_TOKEN_SECRET: required in production (at least 32 characters, the same value in every API process)",
    ].filter(Boolean);
    if (missing.length) throw new Error(`Invalid API environment:\n${missing.join("\n")}`);
  }
  return parsed.data;
}
