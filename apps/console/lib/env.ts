import "server-only";

export class ConsoleConfigError extends Error {
  override name = "ConsoleConfigError";
}

export interface ConsoleEnv {
  /** The GraphQL API, reached from this server (never from the browser). */
  apiUrl: string;
  /** The console's own key pair; the secret stays on the server. */
  appKey?: string;
  appSecret?: string;
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

/**
 * Read at the first request rather than at import: `next build` imports these modules too, and
 * the build must not bake one machine's addresses or secrets into the output.
 */
export function consoleEnv(): ConsoleEnv {
  parsed ??= {
    apiUrl: url("API_URL", "http://127.0.0.1:4000"),
    appKey: process.env.CONSOLE_APP_KEY || undefined,
    appSecret: process.env.CONSOLE_APP_SECRET || undefined,
    sandboxControlUrl: url("SANDBOX_CONTROL_URL", "http://127.0.0.1:4010"),
    sandboxControlToken: process.env.SANDBOX_CONTROL_TOKEN || undefined,
  };
  return parsed;
}
