import { resolve } from "node:path";
import { pino } from "pino";
import { ensureSandboxCredentials } from "./credentials.js";
import type { ProviderName } from "./core/recorder.js";
import { startSandbox } from "./sandbox.js";

const DEFAULT_PORTS: Record<"control" | ProviderName, number> = {
  control: 4010,
  postmark: 4011,
  twilio: 4012,
  apns: 4013,
  fcm: 4014,
  webpush: 4015,
};

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

const logger = pino({ name: "sandbox" });

async function main() {
  const env = {
    host: process.env.SANDBOX_HOST || "127.0.0.1",
    dir: resolve(process.env.SANDBOX_DIR || ".data/sandbox"),
    postmarkWebhookUrl: process.env.SANDBOX_POSTMARK_WEBHOOK_URL || undefined,
    ports: Object.fromEntries(
      Object.entries(DEFAULT_PORTS).map(([name, port]) => [name, portFromEnv(`SANDBOX_${name.toUpperCase()}_PORT`, port)]),
    ) as typeof DEFAULT_PORTS,
  };
  // start.mjs generates it once per install into .data/ and gives it to the console too.
  const controlToken = process.env.SANDBOX_CONTROL_TOKEN;
  if (!controlToken) throw new Error("SANDBOX_CONTROL_TOKEN is not set: the control API needs a token (24+ random characters; node scripts/start.mjs makes one in .data/)");
  const credentialsFile = resolve(env.dir, "credentials.json");
  const credentials = await ensureSandboxCredentials(credentialsFile);
  logger.info({ credentialsFile }, `sandbox credentials at ${credentialsFile}`);

  const sandbox = await startSandbox({
    host: env.host,
    ports: env.ports,
    credentials,
    postmarkWebhookUrl: env.postmarkWebhookUrl,
    controlToken,
    logger,
  });
  // A provider round trip to model (e.g. 50 ms), for load tests against the sandbox.
  const latencyMs = Number(process.env.SANDBOX_LATENCY_MS ?? 0);
  if (latencyMs > 0) for (const provider of ["postmark", "twilio", "apns", "fcm", "webpush"] as const) sandbox.faults.setLatency(provider, latencyMs);
  for (const [name, url] of Object.entries(sandbox.urls)) {
    logger.info({ simulator: name, url }, `${name === "control" ? "control API" : `${name} simulator`} listening on ${url}`);
  }
  if (!env.postmarkWebhookUrl) logger.info("SANDBOX_POSTMARK_WEBHOOK_URL not set: Postmark webhooks are off");

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "sandbox shutting down");
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "sandbox shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  logger.fatal({ err }, "sandbox failed to start");
  process.exit(1);
});
