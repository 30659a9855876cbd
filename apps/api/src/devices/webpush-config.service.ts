import { readSandboxCredentials } from "@notify/sandbox";
import type { ApiEnv } from "../env.js";

/**
 * Which VAPID public key browsers must subscribe with: a push service only accepts pushes
 * signed by the key a subscription was made with, so this has to be the workers' key pair.
 */
export class WebPushConfigService {
  private sandboxKey?: Promise<string>;

  constructor(private readonly env: Pick<ApiEnv, "VAPID_PUBLIC_KEY" | "SANDBOX_CREDENTIALS_FILE">) {}

  publicKey(): Promise<string> {
    if (this.env.VAPID_PUBLIC_KEY) return Promise.resolve(this.env.VAPID_PUBLIC_KEY);
    // Sandbox mode: the workers sign with the simulators' VAPID key, so browsers subscribe with it too.
    this.sandboxKey ??= readSandboxCredentials(this.env.SANDBOX_CREDENTIALS_FILE).then(
      (creds) => creds.webpush.vapidPublicKey,
      (err: Error) => {
        this.sandboxKey = undefined;
        throw new Error(`No VAPID_PUBLIC_KEY is set and the sandbox credentials at ${this.env.SANDBOX_CREDENTIALS_FILE} cannot be read: ${err.message}`);
      },
    );
    return this.sandboxKey;
  }
}
