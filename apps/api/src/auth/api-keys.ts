import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiScope, Db } from "@notify/db";

export interface AuthenticatedApp {
  appId: string;
  apiKeyId: string;
}

export interface CreatedKeyPair {
  appId: string;
  appKey: string;
  /** Shown once; only its hash is stored. */
  appSecret: string;
}

// Secrets are 256 random bits, so a fast hash is as strong as a slow one here and keeps
// authentication off the hot path's latency budget.
function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export class ApiKeyService {
  constructor(private readonly db: Db) {}

  /** Creates an app (when appId is absent) and a new key pair for it. */
  async create({ appId, appName, label }: { appId?: string; appName?: string; label?: string }): Promise<CreatedKeyPair> {
    const id = appId ?? (await this.db.app.create({ data: { name: appName ?? "default" } })).id;
    const appKey = `ak_${randomBytes(12).toString("hex")}`;
    const appSecret = `as_${randomBytes(32).toString("base64url")}`;
    await this.db.apiKey.create({ data: { appId: id, appKey, secretHash: hashSecret(appSecret), label } });
    return { appId: id, appKey, appSecret };
  }

  /** Null for an unknown key, a revoked key or a wrong secret; the caller cannot tell which. */
  async verify(appKey: string, appSecret: string): Promise<(AuthenticatedApp & { scopes: ApiScope[] }) | null> {
    const key = await this.db.apiKey.findUnique({ where: { appKey } });
    const expected = Buffer.from(key?.secretHash ?? hashSecret("no such key"), "hex");
    const actual = Buffer.from(hashSecret(appSecret), "hex");
    const matches = timingSafeEqual(expected, actual);
    if (!key || key.revokedAt || !matches) return null;
    return { appId: key.appId, apiKeyId: key.id, scopes: key.scopes };
  }

  async revoke(appKey: string): Promise<void> {
    await this.db.apiKey.update({ where: { appKey }, data: { revokedAt: new Date() } });
  }
}
