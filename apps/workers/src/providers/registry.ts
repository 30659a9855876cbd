import { readFile } from "node:fs/promises";
import { readSandboxCredentials, type SandboxCredentials } from "@notify/sandbox";
import { webPushEgressPolicy } from "@notify/egress";
import type { Logger } from "pino";
import type { WorkerEnv } from "../env.js";
import { ApnsPushProvider } from "./apns.js";
import { FcmPushProvider } from "./fcm.js";
import { PostmarkEmailProvider } from "./postmark.js";
import { TwilioSmsProvider, type TwilioSender } from "./twilio.js";
import { WebPushProvider } from "./webpush.js";
import type { ChannelMessages, Provider, ProviderRegistry } from "./provider.js";

/** Loads the simulators' credentials the first time a provider needs sandbox mode. */
export type SandboxCredentialsLoader = () => Promise<SandboxCredentials>;

type Factory<C extends keyof ChannelMessages> = (env: WorkerEnv, sandbox: SandboxCredentialsLoader, log: Logger) => Promise<Provider<ChannelMessages[C]>>;

/**
 * Each channel's adapter: real credentials in the environment select the real service, and
 * without them the adapter talks to its local simulator (sandbox mode). Adapters themselves
 * never read the environment; these factories are the only place that does.
 */
const email: Factory<"EMAIL"> = async (env, sandbox, log) => {
  if (env.POSTMARK_SERVER_TOKEN) {
    log.info("EMAIL: Postmark (live)");
    return new PostmarkEmailProvider({ serverToken: env.POSTMARK_SERVER_TOKEN, apiHost: env.POSTMARK_API_HOST, useHttps: true, messageStream: env.POSTMARK_MESSAGE_STREAM });
  }
  const creds = await sandbox();
  log.info(`EMAIL: Postmark sandbox at http://${env.SANDBOX_HOST}:${env.SANDBOX_POSTMARK_PORT}`);
  return new PostmarkEmailProvider({ serverToken: creds.postmark.serverToken, apiHost: `${env.SANDBOX_HOST}:${env.SANDBOX_POSTMARK_PORT}`, useHttps: false });
};

const sms: Factory<"SMS"> = async (env, sandbox, log) => {
  const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_FROM_NUMBER: fromNumber, TWILIO_MESSAGING_SERVICE_SID: messagingServiceSid } = env;
  if (accountSid || authToken || fromNumber || messagingServiceSid) {
    if (!accountSid || !authToken || !(fromNumber || messagingServiceSid)) {
      throw new Error("SMS: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID together (or none for sandbox mode)");
    }
    const sender: TwilioSender = messagingServiceSid ? { messagingServiceSid } : { fromNumber: fromNumber! };
    log.info("SMS: Twilio (live)");
    return new TwilioSmsProvider({ accountSid, authToken, ...sender });
  }
  const creds = await sandbox();
  const baseUrl = `http://${env.SANDBOX_HOST}:${env.SANDBOX_TWILIO_PORT}`;
  log.info(`SMS: Twilio sandbox at ${baseUrl}`);
  return new TwilioSmsProvider({ accountSid: creds.twilio.accountSid, authToken: creds.twilio.authToken, fromNumber: creds.twilio.fromNumber, baseUrl });
};

const webPush: Factory<"WEB_PUSH"> = async (env, sandbox, log) => {
  const { VAPID_PUBLIC_KEY: vapidPublicKey, VAPID_PRIVATE_KEY: vapidPrivateKey, VAPID_SUBJECT: vapidSubject } = env;
  if (vapidPublicKey || vapidPrivateKey || vapidSubject) {
    if (!vapidPublicKey || !vapidPrivateKey || !vapidSubject) throw new Error("WEB_PUSH: set VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT together (or none for sandbox mode)");
    log.info("WEB_PUSH: web-push with the configured VAPID keys (live)");
    return new WebPushProvider({ vapidPublicKey, vapidPrivateKey, vapidSubject, egress: webPushEgress(env) });
  }
  // Sandbox subscriptions point at the simulator, so only the CA differs from live mode.
  const creds = await sandbox();
  log.info(`WEB_PUSH: web-push with the sandbox VAPID keys, trusting the sandbox CA (simulator on port ${env.SANDBOX_WEBPUSH_PORT})`);
  const { vapidPublicKey: publicKey, vapidPrivateKey: privateKey, subject } = creds.webpush;
  return new WebPushProvider({ vapidPublicKey: publicKey, vapidPrivateKey: privateKey, vapidSubject: subject, egress: webPushEgress(env), ca: creds.tls.caCertPem });
};

/** The push services, plus the simulator's origin in sandbox mode only (the API accepts the same at registration). */
const webPushEgress = (env: WorkerEnv) =>
  webPushEgressPolicy({ sandbox: env.NOTIFY_MODE === "sandbox" ? { host: env.SANDBOX_HOST, port: env.SANDBOX_WEBPUSH_PORT } : undefined });

const iosPush: Factory<"IOS_PUSH"> = async (env, sandbox, log) => {
  const { APNS_KEY_P8: keyText, APNS_KEY_FILE: keyFile, APNS_KEY_ID: keyId, APNS_TEAM_ID: teamId, APNS_BUNDLE_ID: bundleId } = env;
  if (keyText || keyFile || keyId || teamId || bundleId) {
    if (!(keyText || keyFile) || !keyId || !teamId || !bundleId) {
      throw new Error("IOS_PUSH: set APNS_KEY_P8 (or APNS_KEY_FILE), APNS_KEY_ID, APNS_TEAM_ID and APNS_BUNDLE_ID together (or none for sandbox mode)");
    }
    // A PEM pasted into an env var often arrives with its newlines escaped.
    const signingKey = keyText ? keyText.replace(/\\n/g, "\n") : await readFile(keyFile!, "utf8");
    const environment = env.APNS_PRODUCTION ? "production" : "sandbox";
    log.info(`IOS_PUSH: APNs ${environment} host (live)`);
    return new ApnsPushProvider({ teamId, keyId, signingKey, defaultTopic: bundleId, environment });
  }
  const creds = await sandbox();
  const url = `https://${env.SANDBOX_HOST}:${env.SANDBOX_APNS_PORT}`;
  log.info(`IOS_PUSH: APNs sandbox at ${url}`);
  const { teamId: team, keyId: key, privateKeyPem, bundleId: topic } = creds.apns;
  return new ApnsPushProvider({ teamId: team, keyId: key, signingKey: privateKeyPem, defaultTopic: topic, environment: "sandbox", redirect: { url, ca: creds.tls.caCertPem } });
};

const androidPush: Factory<"ANDROID_PUSH"> = async (env, sandbox, log) => {
  if (env.FCM_SERVICE_ACCOUNT_FILE) {
    log.info("ANDROID_PUSH: FCM (live)");
    return FcmPushProvider.create({ serviceAccount: env.FCM_SERVICE_ACCOUNT_FILE });
  }
  if (env.FCM_SERVICE_ACCOUNT_JSON) {
    let serviceAccount;
    try {
      serviceAccount = JSON.parse(env.FCM_SERVICE_ACCOUNT_JSON);
    } catch (err) {
      throw new Error(`ANDROID_PUSH: FCM_SERVICE_ACCOUNT_JSON is not JSON: ${(err as Error).message}`);
    }
    log.info("ANDROID_PUSH: FCM (live)");
    return FcmPushProvider.create({ serviceAccount });
  }
  const creds = await sandbox();
  const url = `https://${env.SANDBOX_HOST}:${env.SANDBOX_FCM_PORT}`;
  log.info(`ANDROID_PUSH: FCM sandbox at ${url}`);
  const { projectId, clientEmail, privateKeyId, privateKeyPem } = creds.fcm;
  return FcmPushProvider.create({
    serviceAccount: { type: "service_account", project_id: projectId, client_email: clientEmail, private_key_id: privateKeyId, private_key: privateKeyPem },
    redirect: { url, ca: creds.tls.caCertPem },
  });
};

const FACTORIES: { [C in keyof ChannelMessages]?: Factory<C> } = {
  EMAIL: email,
  IOS_PUSH: iosPush,
  ANDROID_PUSH: androidPush,
  SMS: sms,
  WEB_PUSH: webPush,
};

/** Production mode: a channel without credentials is not served, rather than sent to a simulator. */
class SandboxNotAllowed extends Error {}

export async function createProviders(env: WorkerEnv, log: Logger): Promise<ProviderRegistry> {
  let cached: Promise<SandboxCredentials> | undefined;
  const sandbox: SandboxCredentialsLoader = () =>
    env.NOTIFY_MODE === "production"
      ? Promise.reject(new SandboxNotAllowed())
      : (cached ??= readSandboxCredentials(env.SANDBOX_CREDENTIALS_FILE).catch((err: Error) => {
      throw new Error(
        `A provider has no credentials configured, so it runs in sandbox mode, which needs the simulators' ` +
          `credentials at ${env.SANDBOX_CREDENTIALS_FILE} (start the sandbox first). ${err.message}`,
      );
    }));
  const registry: ProviderRegistry = {};
  for (const [channel, factory] of Object.entries(FACTORIES) as [keyof ChannelMessages, Factory<keyof ChannelMessages>][]) {
    try {
      (registry as Record<string, unknown>)[channel] = await factory(env, sandbox, log);
    } catch (err) {
      if (!(err instanceof SandboxNotAllowed)) throw err;
      log.warn(`${channel}: no provider credentials configured, and production mode does not use the sandbox simulators; this channel is not served`);
    }
  }
  return registry;
}
