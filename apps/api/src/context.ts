import type { Db, Role } from "@notify/db";
import type { Principal } from "./auth/principal.js";
import type { Services } from "./services.js";

/** Per-request context: who is calling, and the services resolvers delegate to. */
export interface Context {
  /** The app every principal acts in. */
  app: { appId: string };
  /** An API key, a console user, or a recipient token (see auth/permissions.ts, auth/principal-guard.ts). */
  principal: Principal;
  /** The caller's network address (the socket's peer), for the audit log. */
  sourceIp?: string;
  db: Db;
  services: Services;
  /**
   * A console user on a long-lived WebSocket: their role now (cached at most 500 ms), null once
   * they lost access, so a demotion reaches subscriptions opened before it (auth/permissions.ts).
   */
  currentRole?: () => Promise<Role | null>;
}
