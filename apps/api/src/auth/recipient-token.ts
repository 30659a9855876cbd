import { createHmac, randomUUID } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import type { Db } from "@notify/db";
import { InputError } from "../errors.js";
import type { RecipientService } from "../recipients/recipient.service.js";
import type { AuthenticatedApp } from "./api-keys.js";
import { isUuid } from "../uuid.js";

export const RECIPIENT_TOKEN_MAX_TTL_SECONDS = 3600;
const ISSUER = "notify";
const AUDIENCE = "notify:recipient";

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface VerifiedToken {
  app: AuthenticatedApp;
  recipientExternalId: string;
  /** The token's jti: per-token send limits and the schedules it made are keyed by it. */
  tokenId: string;
}

/**
 * Short-lived JWTs (HS256) that let a client app act as one recipient, since it cannot hold the
 * appSecret. Each app signs with its own key, HMAC(server secret, appId), so no key is stored and
 * a token of one app can never verify as another's. The token names the API key that issued it
 * (`kid`): revoking that key revokes its tokens.
 */
export class RecipientTokenService {
  constructor(
    private readonly db: Db,
    private readonly recipients: RecipientService,
    private readonly serverSecret: string,
  ) {}

  async issue(app: AuthenticatedApp, externalId: string, ttlSeconds: number): Promise<IssuedToken> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > RECIPIENT_TOKEN_MAX_TTL_SECONDS)
      throw new InputError("INVALID_TTL", `ttlSeconds must be a whole number from 1 to ${RECIPIENT_TOKEN_MAX_TTL_SECONDS}`, "ttlSeconds");
    await this.recipients.get(app.appId, externalId);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ app: app.appId })
      .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: app.apiKeyId })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(externalId)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setJti(randomUUID())
      .sign(this.signingKey(app.appId));
    return { token, expiresAt: new Date((now + ttlSeconds) * 1000) };
  }

  /** Null for anything that is not a live token of this server: forged, expired, of a revoked key. */
  async verify(token: string): Promise<VerifiedToken | null> {
    let appId: unknown;
    let kid: unknown;
    try {
      // Unverified reads, only to pick the key; jwtVerify below checks everything.
      appId = decodeJwt(token).app;
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return null;
    }
    if (!isUuid(appId) || !isUuid(kid)) return null;
    let sub: string | undefined;
    let jti: string | undefined;
    try {
      const { payload } = await jwtVerify(token, this.signingKey(appId), {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ["exp", "sub", "jti"],
      });
      sub = payload.sub;
      jti = payload.jti;
    } catch {
      return null;
    }
    const key = await this.db.apiKey.findUnique({ where: { id: kid }, select: { appId: true, revokedAt: true } });
    if (!key || key.appId !== appId || key.revokedAt || !sub || !jti) return null;
    return { app: { appId, apiKeyId: kid }, recipientExternalId: sub, tokenId: jti };
  }

  private signingKey(appId: string): Uint8Array {
    return createHmac("sha256", this.serverSecret).update(`recipient-token:v1:${appId}`).digest();
  }
}
