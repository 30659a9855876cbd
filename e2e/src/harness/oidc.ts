import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import Provider from "oidc-provider";
import { freePort } from "./processes.js";

export interface LocalOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (oidc-provider) on loopback with its development login form:
 * any login and password sign in, the login becomes the subject, and userinfo says its email
 * is that login, verified (or not, for logins in `unverified`). PKCE is required, as a careful
 * provider would.
 */
export async function startOidcProvider({ redirectUri, unverified = [] }: { redirectUri: string; unverified?: string[] }): Promise<LocalOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "notify-console";
  const clientSecret = randomBytes(24).toString("hex");
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    cookies: { keys: [randomBytes(32).toString("hex")] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: id, email_verified: !unverified.includes(id), name: id.split("@")[0] }),
    }),
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
