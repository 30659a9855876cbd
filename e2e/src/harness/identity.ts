import { execFileSync } from "node:child_process";
import { SignJWT } from "jose";
import type { GraphQLResponse, Stack } from "./stack.js";
import { ROOT } from "./processes.js";

/** Signs a console identity as the console does (claims iss, aud, sub, app; HS256). Overrides forge variants. */
export async function consoleIdentity(
  secret: string,
  { userId, appId, lifetimeS = 60, iatOffsetS = 0, issuer = "notify-console", audience = "notify-api" }: { userId: string; appId: string; lifetimeS?: number; iatOffsetS?: number; issuer?: string; audience?: string },
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000) + iatOffsetS;
  return new SignJWT({ app: appId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetimeS)
    .sign(new TextEncoder().encode(secret));
}

/** A GraphQL call with arbitrary headers (a console identity, a forwarded address…). */
export async function callWith<T = Record<string, any>>(url: string, headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T> & { headers: Headers }> {
  const res = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, "status">;
  return { ...body, status: res.status, headers: res.headers };
}

/** Runs one of the API's CLIs (dist/cli/<name>.js) against the stack's database; returns stdout. */
export function cli(stack: Stack, name: string, args: string[], input?: string): string {
  return execFileSync(process.execPath, [`apps/api/dist/cli/${name}.js`, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl },
    encoding: "utf8",
    input,
  });
}
