import { jwtVerify } from "jose";
import type { Db, Role } from "@notify/db";
import { isUuid } from "../uuid.js";

export const CONSOLE_ISSUER = "notify-console";
export const CONSOLE_AUDIENCE = "notify-api";
/** The console signs a fresh identity per call; a longer-lived one is refused. */
export const CONSOLE_IDENTITY_MAX_LIFETIME_S = 120;
/** How long a user's role is trusted in process: a demotion or removal bites within this. */
const ROLE_CACHE_MS = 500;

export interface ConsoleUserIdentity {
  userId: string;
  email: string;
  appId: string;
  role: Role;
}

/** Why an identity was refused; said to the caller, since none of it helps a forger. */
export class ConsoleIdentityRefused extends Error {
  override name = "ConsoleIdentityRefused";
  constructor(
    message: string,
    /**
     * False when the console's signature was good but the user has no access (removed, or not a
     * member of that app): nothing was guessed, and counting it would let one removed user, whose
     * calls all come from the console's address, get the console throttled for everyone.
     */
    readonly countsAsFailure = true,
  ) {
    super(message);
  }
}

/**
 * Verifies the console's `X-Console-Identity` JWT (HS256 with the secret shared by console and
 * API) and reads the user's role in the named app itself: the token says who and where, never
 * what they may do, so a demoted user cannot keep acting on an old token.
 */
export class ConsoleIdentityVerifier {
  private readonly key: Uint8Array;
  private readonly roles = new Map<string, { value: { email: string; role: Role } | null; loadedAt: number }>();

  constructor(
    private readonly db: Db,
    secret: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async verify(token: string): Promise<ConsoleUserIdentity> {
    let sub: string | undefined;
    let app: unknown;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ["HS256"],
        issuer: CONSOLE_ISSUER,
        audience: CONSOLE_AUDIENCE,
        requiredClaims: ["sub", "exp", "iat"],
        maxTokenAge: `${CONSOLE_IDENTITY_MAX_LIFETIME_S}s`,
      });
      if (payload.exp! - payload.iat! > CONSOLE_IDENTITY_MAX_LIFETIME_S) throw new ConsoleIdentityRefused(`The console identity lives longer than ${CONSOLE_IDENTITY_MAX_LIFETIME_S} s`);
      sub = payload.sub;
      app = payload.app;
    } catch (err) {
      if (err instanceof ConsoleIdentityRefused) throw err;
      throw new ConsoleIdentityRefused(`The console identity is not valid (${(err as Error).message})`);
    }
    if (!sub || !isUuid(app)) throw new ConsoleIdentityRefused("The console identity must name a user (sub) and an app (app, a uuid)");
    const found = await this.role(sub, app);
    if (!found) throw new ConsoleIdentityRefused("This user is not a member of that app", false);
    return { userId: sub, appId: app, ...found };
  }

  /** The user's role in the app now (cached briefly); null when they have no access. */
  async currentRole(userId: string, appId: string): Promise<Role | null> {
    return (await this.role(userId, appId))?.role ?? null;
  }

  /** The user's role in the app (platform admins: ADMIN in every app that exists), cached briefly. */
  private async role(userId: string, appId: string): Promise<{ email: string; role: Role } | null> {
    const cacheKey = `${userId}\u0000${appId}`;
    const now = Date.now();
    const hit = this.roles.get(cacheKey);
    if (hit && now - hit.loadedAt < ROLE_CACHE_MS) return hit.value;
    const user = await this.db.consoleUser.findUnique({
      where: { id: userId },
      select: { email: true, platformAdmin: true, memberships: { where: { appId }, select: { role: true } } },
    });
    let value: { email: string; role: Role } | null = null;
    if (user?.platformAdmin && (await this.db.app.count({ where: { id: appId } }))) value = { email: user.email, role: "ADMIN" };
    else if (user?.memberships[0]) value = { email: user.email, role: user.memberships[0].role };
    if (this.roles.size > 10_000) this.roles.clear();
    this.roles.set(cacheKey, { value, loadedAt: now });
    return value;
  }
}
