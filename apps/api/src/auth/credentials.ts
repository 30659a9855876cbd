import type { IncomingHttpHeaders } from "node:http";

/**
 * A calling service identifies itself with its appKey/appSecret pair, either as
 * `X-App-Key` + `X-App-Secret` headers or as HTTP Basic auth (`appKey:appSecret`).
 */
export function readCredentials(headers: IncomingHttpHeaders): { appKey: string; appSecret: string } | null {
  const key = headers["x-app-key"];
  const secret = headers["x-app-secret"];
  if (typeof key === "string" && typeof secret === "string") return { appKey: key, appSecret: secret };
  const auth = headers.authorization;
  if (auth?.startsWith("Basic ")) {
    const decoded = Buffer.from(auth.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) return { appKey: decoded.slice(0, colon), appSecret: decoded.slice(colon + 1) };
  }
  return null;
}

/** A recipient token, as `Authorization: Bearer <token>`. */
export function readBearerToken(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  return auth?.startsWith("Bearer ") ? auth.slice(7).trim() || null : null;
}

/** A console user's signed identity (see console-identity.ts), as `X-Console-Identity: <JWT>`. */
export function readConsoleIdentity(headers: IncomingHttpHeaders): string | null {
  const value = headers["x-console-identity"];
  return typeof value === "string" && value.trim() ? value.trim() : null;
}
