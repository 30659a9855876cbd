import { verify, type KeyObject } from "node:crypto";

/**
 * Compact JWS parsing and ES256/RS256 verification with node:crypto, which is all the provider
 * tokens need (APNs provider tokens, Google service-account assertions, VAPID).
 */
export interface Jws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function decodeJws(token: string): Jws | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts;
  try {
    const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as unknown;
    const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, "base64url") };
  } catch {
    return undefined;
  }
}

export function verifyJws(jws: Jws, alg: "ES256" | "RS256", key: KeyObject): boolean {
  if (jws.header.alg !== alg) return false;
  try {
    // JWS carries ECDSA signatures as raw r||s (IEEE P1363), not DER.
    const keyArg = alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" as const } : key;
    return verify("sha256", Buffer.from(jws.signingInput), keyArg, jws.signature);
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
