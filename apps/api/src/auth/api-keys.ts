import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ApiScope, type Db } from "@notify/db";
import { InputError, NotFoundError } from "../errors.js";
import { ApiKeyCache, type CachedKey } from "./api-key-cache.js";
import { isUuid } from "../uuid.js";

export interface AuthenticatedApp {
  appId: string;
  apiKeyId: string;
}

export interface VerifiedKey extends AuthenticatedApp {
  appKey: string;
  scopes: ApiScope[];
}

export interface CreatedKeyPair {
  appId: string;
  apiKeyId: string;
  appKey: string;
  /** Shown once; only its hash is stored. */
  appSecret: string;
  scopes: ApiScope[];
  key: ApiKeyRow;
}

export interface ApiKeyRow {
  id: string;
  appKey: string;
  label: string | null;
  scopes: ApiScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  createdBy: string | null;
}

export const ALL_SCOPES = Object.values(ApiScope);
/** lastUsedAt is a hint for admins ("is this key still in use?"), not an access log. */
const LAST_USED_RESOLUTION_MS = 60_000;
const MAX_OVERLAP_SECONDS = 30 * 24 * 3600;

// Secrets are 256 random bits, so a fast hash is as strong as a slow one here and keeps
// authentication off the hot path's latency budget.
function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

const PUBLIC_FIELDS = { id: true, appKey: true, label: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true, expiresAt: true, createdBy: true } as const;

export class ApiKeyService {
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly cache: ApiKeyCache = new ApiKeyCache(),
  ) {}

  /** Creates an app (when appId is absent) and a new key pair for it. */
  async create({
    appId,
    appName,
    label,
    scopes = ALL_SCOPES,
    createdBy,
  }: { appId?: string; appName?: string; label?: string | null; scopes?: ApiScope[]; createdBy?: string }): Promise<CreatedKeyPair> {
    const unique = [...new Set(scopes)];
    if (!unique.length) throw new InputError("NO_SCOPES", "An API key needs at least one scope", "scopes");
    const id = appId ?? (await this.db.app.create({ data: { name: appName ?? "default" } })).id;
    const appKey = `ak_${randomBytes(12).toString("hex")}`;
    const appSecret = `as_${randomBytes(32).toString("base64url")}`;
    const key = await this.db.apiKey.create({ data: { appId: id, appKey, secretHash: hashSecret(appSecret), label: label ?? null, scopes: unique, createdBy }, select: PUBLIC_FIELDS });
    return { appId: id, apiKeyId: key.id, appKey, appSecret, scopes: unique, key };
  }

  /** Every key of the app, revoked and expired ones included, newest first. */
  list(appId: string): Promise<ApiKeyRow[]> {
    return this.db.apiKey.findMany({ where: { appId }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], select: PUBLIC_FIELDS });
  }

  /**
   * Null for an unknown key, a revoked or expired key or a wrong secret; the caller cannot tell
   * which. The row comes from the process cache (see ApiKeyCache for why a revocation still
   * takes effect within a second); the secret and the expiry are checked on every call.
   */
  async verify(appKey: string, appSecret: string): Promise<VerifiedKey | null> {
    const key = await this.cache.get(appKey, () => this.load(appKey));
    const expected = Buffer.from(key?.secretHash ?? hashSecret("no such key"), "hex");
    const actual = Buffer.from(hashSecret(appSecret), "hex");
    const matches = timingSafeEqual(expected, actual);
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= Date.now()) || !matches) return null;
    this.touch(key.id);
    return { appId: key.appId, apiKeyId: key.id, appKey: key.appKey, scopes: key.scopes };
  }

  /** Revokes a key of this app (idempotent); every API process refuses it within a second. */
  async revoke(appId: string, id: string): Promise<ApiKeyRow> {
    const key = await this.find(appId, id);
    const row = key.revokedAt ? key : await this.db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() }, select: PUBLIC_FIELDS });
    await this.cache.invalidate(key.appKey);
    return row;
  }

  /**
   * A new key with the same label and scopes; the old one keeps working for `overlapSeconds`
   * (0: it stops now) so services can switch without downtime.
   */
  async rotate(appId: string, id: string, overlapSeconds: number, createdBy?: string): Promise<{ created: CreatedKeyPair; previous: ApiKeyRow }> {
    if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_OVERLAP_SECONDS)
      throw new InputError("INVALID_OVERLAP", `overlapSeconds must be a whole number from 0 to ${MAX_OVERLAP_SECONDS}`, "overlapSeconds");
    const old = await this.find(appId, id);
    if (old.revokedAt) throw new InputError("KEY_REVOKED", `API key ${old.appKey} is revoked; create a new one instead`, "id");
    const expiresAt = new Date(Date.now() + overlapSeconds * 1000);
    const created = await this.create({ appId, label: old.label, scopes: old.scopes, createdBy });
    // An earlier, shorter expiry stays: rotating twice must not extend the old key's life.
    const previous = await this.db.apiKey.update({
      where: { id: old.id },
      data: { expiresAt: old.expiresAt && old.expiresAt < expiresAt ? old.expiresAt : expiresAt },
      select: PUBLIC_FIELDS,
    });
    await this.cache.invalidate(old.appKey);
    return { created, previous };
  }

  private async find(appId: string, id: string): Promise<ApiKeyRow> {
    const key = isUuid(id) ? await this.db.apiKey.findFirst({ where: { id, appId }, select: PUBLIC_FIELDS }) : null;
    if (!key) throw new NotFoundError("ApiKey", id);
    return key;
  }

  private load(appKey: string): Promise<CachedKey | null> {
    return this.db.apiKey.findUnique({
      where: { appKey },
      select: { id: true, appId: true, appKey: true, secretHash: true, scopes: true, revokedAt: true, expiresAt: true },
    });
  }

  /**
   * lastUsedAt at most once a minute per key: this process skips the write within the minute,
   * and the WHERE makes the other processes' writes in that minute no-ops.
   */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(id, now);
    const cutoff = new Date(now - LAST_USED_RESOLUTION_MS);
    void this.db.apiKey
      .updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: cutoff } }] }, data: { lastUsedAt: new Date(now) } })
      .catch(() => this.lastUsedWritten.delete(id));
  }

  /** Starts listening for other processes' revocations (API processes only; the CLI just publishes). */
  listen(): Promise<void> {
    return this.cache.listen();
  }

  async close(): Promise<void> {
    await this.cache.close();
  }
}
