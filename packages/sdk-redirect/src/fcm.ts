import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cert, deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getMessaging, type Messaging } from "firebase-admin/messaging";
import { createRedirectAgent, type RedirectTarget } from "./redirect-agent.js";

/** Hosts firebase-admin messaging and its service-account credential call. */
export const GOOGLE_FCM_HOSTS = ["fcm.googleapis.com", "oauth2.googleapis.com", "www.googleapis.com"] as const;

/** The service-account JSON as Google hands it out (snake_case keys). */
export interface ServiceAccountJson {
  project_id: string;
  client_email: string;
  private_key_id?: string;
  private_key: string;
  [key: string]: unknown;
}

export interface SandboxFirebase {
  app: App;
  messaging: Messaging;
  close(): Promise<void>;
}

/**
 * A firebase-admin app whose messaging and OAuth token traffic goes to the FCM simulator.
 *
 * - One agent serves both the credential (token exchange through google-auth-library) and the
 *   app (messages:send through firebase-admin's own HTTP/1.1 client).
 * - The credential is cert(<path to the JSON file>, agent): given an object instead, cert()
 *   drops the agent for the token exchange (firebase-admin-node#2960: it builds the client with
 *   GoogleAuth.fromJSON(json) and no options), so the token request would go to the real Google.
 *   Each app gets its own file, which also gives it its own entry in cert()'s cache (keyed by the
 *   argument, keeping the agent it saw first).
 * - `enableLegacyHttpTransport()`: otherwise sendEach() opens its own HTTP/2 session straight to
 *   https://fcm.googleapis.com, which no agent can redirect.
 */
export async function createSandboxFirebase(
  opts: RedirectTarget & { serviceAccount: ServiceAccountJson; appName: string },
): Promise<SandboxFirebase> {
  const agent = createRedirectAgent({ url: opts.url, ca: opts.ca, hosts: GOOGLE_FCM_HOSTS });
  const dir = await mkdtemp(join(tmpdir(), "notify-fcm-"));
  const keyFile = join(dir, "service-account.json");
  await writeFile(keyFile, JSON.stringify({ type: "service_account", ...opts.serviceAccount }), { mode: 0o600 });
  const app = initializeApp({ credential: cert(keyFile, agent), httpAgent: agent, projectId: opts.serviceAccount.project_id }, opts.appName);
  const messaging = getMessaging(app);
  messaging.enableLegacyHttpTransport();
  return {
    app,
    messaging,
    async close() {
      await deleteApp(app);
      agent.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
