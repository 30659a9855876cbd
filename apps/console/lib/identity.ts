import "server-only";
import { SignJWT } from "jose";
import { consoleEnv } from "./env";

/** Tokens live 120 s (the contract's limit) and are reused for at most 60 s. */
const LIFETIME_S = 120;
const REUSE_MS = 60_000;

const minted = new Map<string, { token: string; until: number }>();

/**
 * The signed-in user's identity for the API (`X-Console-Identity`): HS256 with
 * CONSOLE_IDENTITY_SECRET, naming the user and the app. It carries no role: the API reads the
 * membership itself, so a demotion takes effect at once.
 */
export async function consoleIdentity(userId: string, appId: string): Promise<string> {
  const key = `${userId}:${appId}`;
  const now = Date.now();
  const cached = minted.get(key);
  if (cached && cached.until > now) return cached.token;
  const token = await new SignJWT({ app: appId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("notify-console")
    .setAudience("notify-api")
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(now / 1000) + LIFETIME_S)
    .sign(new TextEncoder().encode(consoleEnv().identitySecret));
  if (minted.size > 10_000) minted.clear();
  minted.set(key, { token, until: now + REUSE_MS });
  return token;
}
