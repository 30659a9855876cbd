import type { Db } from "@notify/db";
import { jwtVerify } from "jose";
import type { AuthenticatedApp } from "./api-keys.js";

/**
 * STOPGAP for helper-console's branch until helper-authz's API side of the Console-identity
 * contract lands (it replaces this file): verifies `X-Console-Identity` (HS256, iss
 * "notify-console", aud "notify-api", exp ≤ 120 s after iat) and reads the user's membership of
 * the named app on every call (platform admins act in every app). No role checks here: those are
 * helper-authz's @Authorized permissions.
 */
export class ConsoleIdentityVerifier {
  private readonly key: Uint8Array;

  constructor(
    private readonly db: Db,
    secret: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** Null when the token is bad or expired, or the user has no membership in the app. */
  async verify(token: string): Promise<{ app: AuthenticatedApp; userId: string } | null> {
    let sub: string | undefined;
    let appId: unknown;
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ["HS256"], issuer: "notify-console", audience: "notify-api", requiredClaims: ["exp", "iat", "sub"] });
      if (payload.exp! - payload.iat! > 120) return null;
      sub = payload.sub;
      appId = payload.app;
    } catch {
      return null;
    }
    if (!sub || typeof appId !== "string" || !/^[0-9a-f-]{36}$/i.test(appId)) return null;
    const user = await this.db.consoleUser.findUnique({ where: { id: sub }, select: { platformAdmin: true, memberships: { where: { appId }, select: { role: true } } } });
    if (!user || (!user.platformAdmin && user.memberships.length === 0)) return null;
    if (user.platformAdmin && !(await this.db.app.findUnique({ where: { id: appId }, select: { id: true } }))) return null;
    return { app: { appId, apiKeyId: `console-user:${sub}` }, userId: sub };
  }
}
