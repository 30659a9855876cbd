import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Channel } from "@notify/db";

/**
 * The token in an email's List-Unsubscribe URL: who, which category, which channel and until
 * when, HMAC-SHA256-signed with UNSUBSCRIBE_SECRET. The link works without a login (RFC 8058
 * one-click), so the signature is the only thing standing between a guessed URL and someone
 * else's preferences.
 */
export interface UnsubscribeClaim {
  /**
   * The app the email was sent from; the recipient must belong to it. Absent only in links
   * minted before it was added (the recipient's own app then applies).
   */
  appId?: string;
  recipientId: string;
  /** A category key, or "*" for an email sent without a category. */
  category: string;
  channel: Channel;
  expiresAt: Date;
}

/** Long enough for an email read weeks later; bounded so a leaked link does not work forever. */
export const UNSUBSCRIBE_TOKEN_TTL_MS = 90 * 24 * 3600 * 1000;

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
  a?: string;
  r: string;
  k: string;
  c: Channel;
  /** Expiry, Unix seconds. */
  e: number;
}

const mac = (secret: string, signed: string) => createHmac("sha256", secret).update(signed).digest();

export function signUnsubscribeToken(claim: UnsubscribeClaim, secret: string): string {
  const payload: Payload = { ...(claim.appId ? { a: claim.appId } : {}), r: claim.recipientId, k: claim.category, c: claim.channel, e: Math.floor(claim.expiresAt.getTime() / 1000) };
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
  // Every claim is checked even though the signature matched: whoever holds the secret (or a
  // bug in a signer) must not reach the database with a channel or id that is not one.
  if (typeof payload !== "object" || payload === null) throw new InvalidUnsubscribeTokenError("MALFORMED", "the unsubscribe link's payload is not an object");
  if (!isUuid(payload.r)) throw new InvalidUnsubscribeTokenError("MALFORMED", "the unsubscribe link names no valid recipient");
  if (payload.a !== undefined && !isUuid(payload.a)) throw new InvalidUnsubscribeTokenError("MALFORMED", "the unsubscribe link names no valid app");
  if (typeof payload.c !== "string" || !CHANNELS.has(payload.c)) throw new InvalidUnsubscribeTokenError("MALFORMED", "the unsubscribe link names no valid channel");
  if (typeof payload.k !== "string" || !CATEGORY.test(payload.k)) throw new InvalidUnsubscribeTokenError("MALFORMED", "the unsubscribe link names no valid category");
  if (typeof payload.e !== "number" || !Number.isSafeInteger(payload.e)) throw new InvalidUnsubscribeTokenError("MALFORMED", "the unsubscribe link has no valid expiry");
  if (payload.e * 1000 <= now.getTime()) throw new InvalidUnsubscribeTokenError("EXPIRED", "the unsubscribe link has expired");
  return { ...(payload.a ? { appId: payload.a } : {}), recipientId: payload.r, category: payload.k, channel: payload.c, expiresAt: new Date(payload.e * 1000) };
}

const CHANNELS: ReadonlySet<string> = new Set(Object.values(Channel));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (v: unknown): v is string => typeof v === "string" && UUID.test(v);
/** "*" or a category key as the API accepts them (1–64 characters, no surrounding spaces). */
const CATEGORY = /^(\*|\S(.{0,62}\S)?)$/su;

export class UnsubscribeSecretMissingError extends Error {
  constructor(why: string) {
    super(`UNSUBSCRIBE_SECRET is not set, and ${why}: set it (32+ random characters, the same value in the API and the workers).`);
    this.name = "UnsubscribeSecretMissingError";
  }
}

export interface UnsubscribeSecretOptions {
  /** UNSUBSCRIBE_SECRET, when set. */
  configured: string | undefined;
  /** NOTIFY_MODE: production never falls back. */
  mode: "sandbox" | "production";
  /** Sandbox mode: where the per-install secret is kept (API and workers must name the same file). */
  sandboxFile: string;
}

/**
 * The secret unsubscribe links are signed with. There is no public default: a constant in the
 * source signs links anyone can forge. In production UNSUBSCRIBE_SECRET is required (the
 * process refuses to start); in sandbox mode without it, a random secret is made once per
 * install in `sandboxFile` (start.mjs makes the same one), so the API and the workers agree.
 */
export function unsubscribeSecret({ configured, mode, sandboxFile }: UnsubscribeSecretOptions): { secret: string; generated: boolean } {
  if (configured) return { secret: configured, generated: false };
  if (mode === "production") throw new UnsubscribeSecretMissingError("NOTIFY_MODE is production, where no default secrets exist");
  return { secret: installSecret(sandboxFile), generated: true };
}

/**
 * Reads the file's secret, creating it first if absent. Written whole to a temporary file and
 * then hard-linked into place (which fails if the name exists), so the API and the workers
 * starting together agree on one secret and never read a half-written file.
 */
function installSecret(file: string): string {
  try {
    return readSecret(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, randomBytes(32).toString("base64url"), { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    unlinkSync(tmp);
  }
  return readSecret(file);
}

function readSecret(file: string): string {
  const secret = readFileSync(file, "utf8").trim();
  if (secret.length < 32) throw new Error(`${file} holds no secret of 32+ characters; delete it to have a new one made`);
  return secret;
}
