import "server-only";
import { guardConfig } from "./request-guard";

export class ConsoleConfigError extends Error {
  override name = "ConsoleConfigError";
}

/** An OpenID Connect identity provider people may sign in with (optional). */
export interface OidcProviderEnv {
  /** Also the callback path: /api/auth/oauth2/callback/<providerId>. */
  providerId: string;
  /** Shown on the sign-in button. */
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
}

export interface ConsoleEnv {
  mode: "sandbox" | "production";
  /** The GraphQL API, reached from this server (never from the browser). */
  apiUrl: string;
  /** Where people reach this console (cookies are Secure when it is https). */
  publicUrl: string;
  /** Host headers this console answers to (DNS rebinding): host:port, lower case. */
  allowedHosts: string[];
  /** Signs better-auth's session cookies and OAuth state. */
  authSecret: string;
  /** Signs X-Console-Identity (the same value as the API's). */
  identitySecret: string;
  /** The console's own key pair for the platform's email channel only (invitations, password resets). */
  mailKey?: { appKey: string; appSecret: string };
  oidc?: OidcProviderEnv;
  /** The sandbox's plain-HTTP control API (its Web Push subscription routes live under /webpush). */
  sandboxControlUrl: string;
  /** Bearer token the control API requires (start.mjs generates it into .data/); server-side only. */
  sandboxControlToken?: string;
}

let parsed: ConsoleEnv | undefined;

function url(name: string, fallback: string): string {
  const value = process.env[name] || fallback;
  try {
    return new URL(value).toString().replace(/\/$/, "");
  } catch {
    throw new ConsoleConfigError(`${name} must be an absolute URL, got ${JSON.stringify(value)}`);
  }
}

function secret(name: string): string {
  const value = process.env[name];
  if (!value || value.length < 32) throw new ConsoleConfigError(`${name} must be set to at least 32 characters (node scripts/start.mjs generates one into .data/)`);
  return value;
}

function oidc(): OidcProviderEnv | undefined {
  const issuer = process.env.CONSOLE_OIDC_ISSUER;
  if (!issuer) return undefined;
  const clientId = process.env.CONSOLE_OIDC_CLIENT_ID;
  const clientSecret = process.env.CONSOLE_OIDC_CLIENT_SECRET;
  if (!clientId || !clientSecret) throw new ConsoleConfigError("CONSOLE_OIDC_ISSUER is set: CONSOLE_OIDC_CLIENT_ID and CONSOLE_OIDC_CLIENT_SECRET are required too");
  return {
    providerId: process.env.CONSOLE_OIDC_ID || "oidc",
    name: process.env.CONSOLE_OIDC_NAME || "SSO",
    issuer: url("CONSOLE_OIDC_ISSUER", issuer),
    clientId,
    clientSecret,
  };
}

/**
 * Read at the first request rather than at import: `next build` imports these modules too, and
 * the build must not bake one machine's addresses or secrets into the output.
 */
export function consoleEnv(): ConsoleEnv {
  if (parsed) return parsed;
  const mode = process.env.NOTIFY_MODE === "production" ? "production" : "sandbox";
  if (process.env.NOTIFY_MODE && !["sandbox", "production"].includes(process.env.NOTIFY_MODE)) {
    throw new ConsoleConfigError(`NOTIFY_MODE must be sandbox or production, got ${JSON.stringify(process.env.NOTIFY_MODE)}`);
  }
  const port = process.env.CONSOLE_PORT || process.env.PORT || "3000";
  const publicUrl = url("CONSOLE_URL", `http://${process.env.CONSOLE_HOST || "127.0.0.1"}:${port}`);
  const mailKey =
    process.env.CONSOLE_MAIL_APP_KEY && process.env.CONSOLE_MAIL_APP_SECRET
      ? { appKey: process.env.CONSOLE_MAIL_APP_KEY, appSecret: process.env.CONSOLE_MAIL_APP_SECRET }
      : undefined;
  parsed = {
    mode,
    apiUrl: url("API_URL", "http://127.0.0.1:4000"),
    publicUrl,
    allowedHosts: guardConfig().allowedHosts,
    authSecret: secret("BETTER_AUTH_SECRET"),
    identitySecret: secret("CONSOLE_IDENTITY_SECRET"),
    mailKey,
    oidc: oidc(),
    sandboxControlUrl: url("SANDBOX_CONTROL_URL", "http://127.0.0.1:4010"),
    sandboxControlToken: process.env.SANDBOX_CONTROL_TOKEN || undefined,
  };
  return parsed;
}
