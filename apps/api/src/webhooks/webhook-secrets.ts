import { readSandboxCredentials, type SandboxCredentials } from "@notify/sandbox";
import type { ApiEnv } from "../env.js";

export interface WebhookSecrets {
  twilioAuthToken(): Promise<string>;
  postmarkBasicAuth(): Promise<{ username: string; password: string }>;
}

/** A webhook can't be verified because this process has no secret to verify it with. */
export class WebhookSecretUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookSecretUnavailableError";
  }
}

const set = (v: string | undefined): v is string => v !== undefined && v !== "";

/**
 * Real secrets from the environment; without them, in sandbox mode only, the simulators' own,
 * read from their credentials file the first time a webhook needs them (the API may start before
 * the sandbox). In production that file is never read: anyone who can write it (or who runs a
 * sandbox next to the API) would otherwise choose the secret that signs "provider" callbacks.
 */
export function webhookSecrets(env: ApiEnv): WebhookSecrets {
  if (set(env.POSTMARK_WEBHOOK_USERNAME) !== set(env.POSTMARK_WEBHOOK_PASSWORD)) {
    throw new Error("Set both POSTMARK_WEBHOOK_USERNAME and POSTMARK_WEBHOOK_PASSWORD (the basic auth on the Postmark webhooks), or neither for sandbox mode");
  }
  let loaded: Promise<SandboxCredentials> | undefined;
  const sandbox = (): Promise<SandboxCredentials> =>
    env.NOTIFY_MODE === "production"
      ? Promise.reject(new WebhookSecretUnavailableError("This provider's webhook secret is not configured (production mode never falls back to the sandbox's)"))
      : (loaded ??= readSandboxCredentials(env.SANDBOX_CREDENTIALS_FILE).catch((err: Error) => {
      // Not cached: the sandbox may write the file later.
      loaded = undefined;
      throw new WebhookSecretUnavailableError(`No provider webhook secret configured and no sandbox credentials at ${env.SANDBOX_CREDENTIALS_FILE}: ${err.message}`);
    }));

  return {
    twilioAuthToken: async () => (set(env.TWILIO_AUTH_TOKEN) ? env.TWILIO_AUTH_TOKEN : (await sandbox()).twilio.authToken),
    postmarkBasicAuth: async () => {
      if (set(env.POSTMARK_WEBHOOK_USERNAME) && set(env.POSTMARK_WEBHOOK_PASSWORD)) {
        return { username: env.POSTMARK_WEBHOOK_USERNAME, password: env.POSTMARK_WEBHOOK_PASSWORD };
      }
      const { webhookUsername, webhookPassword } = (await sandbox()).postmark;
      return { username: webhookUsername, password: webhookPassword };
    },
  };
}
