import { createHmac, timingSafeEqual } from "node:crypto";
import type { Channel } from "@notify/db";

/**
 * The token in an email's List-Unsubscribe URL: who, which category, which channel and until
 * when, HMAC-SHA256-signed with UNSUBSCRIBE_SECRET. The link works without a login (RFC 8058
 * one-click), so the signature is the only thing standing between a guessed URL and someone
 * else's preferences.
 */
export interface UnsubscribeClaim {
  recipientId: string;
  /** A category key, or "*" for an email sent without a category. */
  category: string;
  channel: Channel;
  expiresAt: Date;
}

/** Long enough for an email read weeks later; bounded so a leaked link does not work forever. */
export const UNSUBSCRIBE_TOKEN_TTL_MS = 90 * 24 * 3600 * 1000;

/**
 * Used when UNSUBSCRIBE_SECRET is not set, so sandbox mode works out of the box. Anyone who has
 * read this file can forge tokens signed with it: callers log a warning when they fall back to it.
 */
export const DEV_UNSUBSCRIBE_SECRET = "notify-dev-unsubscribe-secret-not-for-production";

const VERSION = "u1";

export type InvalidTokenReason = "MALFORMED" | "BAD_SIGNATURE" | "EXPIRED";

export class InvalidUnsubscribeTokenError extends Error {
  constructor(
    readonly reason: InvalidTokenReason,
    message: string,
  ) {
    super(message);
    this.name = "InvalidUnsubscribeTokenError";
  }
}

interface Payload {
  r: string;
  k: string;
  c: Channel;
  /** Expiry, Unix seconds. */
  e: number;
}

const mac = (secret: string, signed: string) => createHmac("sha256", secret).update(signed).digest();

export function signUnsubscribeToken(claim: UnsubscribeClaim, secret: string): string {
  const payload: Payload = { r: claim.recipientId, k: claim.category, c: claim.channel, e: Math.floor(claim.expiresAt.getTime() / 1000) };
  const signed = `${VERSION}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${signed}.${mac(secret, signed).toString("base64url")}`;
}

/** The claim in a token this platform signed and that has not expired; throws otherwise. */
export function verifyUnsubscribeToken(token: string, secret: string, now = new Date()): UnsubscribeClaim {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== VERSION) throw new InvalidUnsubscribeTokenError("MALFORMED", "not an unsubscribe token");
  const signed = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2]!, "base64url");
  const expected = mac(secret, signed);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidUnsubscribeTokenError("BAD_SIGNATURE", "the unsubscribe link's signature does not match");
  }
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as Payload;
  } catch {
    throw new InvalidUnsubscribeTokenError("MALFORMED", "the unsubscribe link's payload is not readable");
  }
  if (typeof payload.r !== "string" || typeof payload.k !== "string" || typeof payload.c !== "string" || typeof payload.e !== "number") {
    throw new InvalidUnsubscribeTokenError("MALFORMED", "the unsubscribe link's payload is incomplete");
  }
  if (payload.e * 1000 <= now.getTime()) throw new InvalidUnsubscribeTokenError("EXPIRED", "the unsubscribe link has expired");
  return { recipientId: payload.r, category: payload.k, channel: payload.c, expiresAt: new Date(payload.e * 1000) };
}

export class UnsubscribeSecretMissingError extends Error {
  constructor(why: string) {
    super(`UNSUBSCRIBE_SECRET is not set, and ${why}: set it (32+ random characters, the same value in the API and the workers).`);
    this.name = "UnsubscribeSecretMissingError";
  }
}

/**
 * The configured secret; without one, the development default, unless `live` names a reason
 * (real email is being sent) why a forgeable secret is not acceptable.
 */
export function unsubscribeSecret(configured: string | undefined, live: string | false): { secret: string; devDefault: boolean } {
  if (configured) return { secret: configured, devDefault: false };
  if (live) throw new UnsubscribeSecretMissingError(live);
  return { secret: DEV_UNSUBSCRIBE_SECRET, devDefault: true };
}
