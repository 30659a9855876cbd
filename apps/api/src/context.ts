import type { Db } from "@notify/db";
import type { AuthenticatedApp } from "./auth/api-keys.js";
import type { Principal } from "./auth/principal.js";
import type { Services } from "./services.js";

/** Per-request context: who is calling, and the services resolvers delegate to. */
export interface Context {
  app: AuthenticatedApp;
  /** The app's own credentials, or a recipient token (see auth/principal-guard.ts). */
  principal: Principal;
  /** The caller's network address (the socket's peer), for the audit log. */
  sourceIp?: string;
  db: Db;
  services: Services;
}
