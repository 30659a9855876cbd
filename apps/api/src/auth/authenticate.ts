import type { IncomingHttpHeaders } from "node:http";
import type { Db } from "@notify/db";
import type { Context } from "../context.js";
import { UnauthenticatedError } from "../errors.js";
import type { Services } from "../services.js";
import type { AuthThrottle } from "./auth-throttle.js";
import { ConsoleIdentityRefused, type ConsoleIdentityVerifier } from "./console-identity.js";
import { readBearerToken, readConsoleIdentity, readCredentials } from "./credentials.js";

export interface AuthenticateDeps {
  db: Db;
  services: Services;
  /** Absent when CONSOLE_IDENTITY_SECRET is not set (sandbox mode only): console identities are refused. */
  consoleIdentity?: ConsoleIdentityVerifier;
  throttle?: AuthThrottle;
}

/** What a request or WebSocket connection presents: its headers (or connectionParams) and source address. */
export interface Caller {
  headers: IncomingHttpHeaders;
  /** The client's address: the socket's, or the forwarded one when the hop is a trusted proxy. */
  address: string;
}

/**
 * The one authentication for HTTP and WebSocket: a console user's signed identity, a recipient
 * token, or an app's API key. `longLived`: a WebSocket, whose user's role is read again on each
 * check rather than kept from the connection. Failures are counted per source address and per appKey; over the
 * budget, attempts are answered 429 before any check.
 */
export async function authenticate(deps: AuthenticateDeps, { headers, address }: Caller, { longLived = false } = {}): Promise<Context> {
  const identity = readConsoleIdentity(headers);
  const bearer = identity ? null : readBearerToken(headers);
  const credentials = identity || bearer ? null : readCredentials(headers);
  const appKey = credentials?.appKey;
  await deps.throttle?.assertAllowed(address, appKey);
  const fail = async (message: string): Promise<never> => {
    await deps.throttle?.recordFailure(address, appKey);
    throw new UnauthenticatedError(message);
  };
  const base = { db: deps.db, services: deps.services, sourceIp: address };

  if (identity) {
    if (!deps.consoleIdentity) return fail("Console identities are not accepted: CONSOLE_IDENTITY_SECRET is not set on this API");
    try {
      const verifier = deps.consoleIdentity;
      const user = await verifier.verify(identity);
      return {
        ...base,
        app: { appId: user.appId },
        principal: { kind: "user", userId: user.userId, email: user.email, role: user.role },
        // A socket outlives the role it was opened with; a request does not.
        ...(longLived ? { currentRole: () => verifier.currentRole(user.userId, user.appId) } : {}),
      };
    } catch (err) {
      if (err instanceof ConsoleIdentityRefused) {
        if (err.countsAsFailure) return fail(err.message);
        throw new UnauthenticatedError(err.message);
      }
      throw err;
    }
  }
  if (bearer) {
    const verified = await deps.services.recipientTokens.verify(bearer);
    if (!verified) return fail("The recipient token is invalid or expired");
    return { ...base, app: { appId: verified.app.appId }, principal: { kind: "recipient", recipientExternalId: verified.recipientExternalId, tokenId: verified.tokenId } };
  }
  if (!credentials) throw new UnauthenticatedError("Send X-App-Key and X-App-Secret (or Basic auth) with every request");
  const key = await deps.services.apiKeys.verify(credentials.appKey, credentials.appSecret);
  if (!key) return fail("The appKey/appSecret pair is not valid (or the key is revoked or expired)");
  return { ...base, app: { appId: key.appId }, principal: { kind: "app", apiKeyId: key.apiKeyId, appKey: key.appKey, scopes: key.scopes } };
}
