/**
 * What proxy.ts checks on every request before any page, route handler or server action runs.
 * Pure functions of the request's headers and the environment, so they are tested directly.
 */

export interface GuardConfig {
  /** host:port values (lower case) this console answers to. */
  allowedHosts: string[];
}

/**
 * The console's own addresses: CONSOLE_ALLOWED_HOSTS, else the public URL's host plus the port
 * on the loopback names. A Host of any other name is a DNS-rebinding page (evil.example resolved
 * to 127.0.0.1) or a misrouted request.
 */
export function guardConfig(env: NodeJS.ProcessEnv = process.env): GuardConfig {
  const listed = env.CONSOLE_ALLOWED_HOSTS?.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (listed?.length) return { allowedHosts: listed };
  const port = env.CONSOLE_PORT || env.PORT || "3000";
  let publicHost = `${env.CONSOLE_HOST || "127.0.0.1"}:${port}`;
  let publicPort = port;
  if (env.CONSOLE_URL) {
    const u = new URL(env.CONSOLE_URL);
    publicPort = u.port || (u.protocol === "https:" ? "443" : "80");
    publicHost = u.port ? u.host : `${u.hostname}:${publicPort}`;
  }
  const hosts = [publicHost, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
  if (publicPort !== port) hosts.push(`localhost:${publicPort}`, `127.0.0.1:${publicPort}`);
  return { allowedHosts: [...new Set(hosts.map((h) => h.toLowerCase()))] };
}

/** host:port with the scheme's default port made explicit, so "example.com" matches "example.com:443". */
function withPort(host: string, protocol: "http:" | "https:"): string {
  const h = host.toLowerCase();
  return /:\d+$/.test(h) ? h : `${h}:${protocol === "https:" ? "443" : "80"}`;
}

export type Refusal = { status: 421 | 403; reason: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Host against the allow-list (DNS rebinding); for state-changing methods also Origin
 * (CSRF: a form or fetch from another site, including server actions replayed from there).
 * A POST without Origin is refused too: every browser sends one on POST.
 */
export function checkRequest(config: GuardConfig, method: string, host: string | null, origin: string | null, protocol: "http:" | "https:"): Refusal | null {
  const allowed = new Set(config.allowedHosts.map((h) => withPort(h, protocol)));
  if (!host || !allowed.has(withPort(host, protocol))) return { status: 421, reason: `This console does not answer to host ${JSON.stringify(host ?? "")}` };
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  if (!origin || origin === "null") return { status: 403, reason: "A request that changes something must carry the console's own Origin" };
  let originHost: string;
  try {
    const u = new URL(origin);
    originHost = withPort(u.host, u.protocol === "https:" ? "https:" : "http:");
  } catch {
    return { status: 403, reason: "Malformed Origin" };
  }
  if (!allowed.has(originHost)) return { status: 403, reason: `Cross-origin request from ${origin} refused` };
  return null;
}

/**
 * The Content-Security-Policy for one response, with Next's documented per-request nonce
 * (Next reads it from the request's CSP header and puts it on its own bootstrap scripts):
 * no inline script runs without it, no framing, no plugins, forms post only here.
 */
export function contentSecurityPolicy(nonce: string, { https, dev }: { https: boolean; dev: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    // The Web Push demo's service worker; 'strict-dynamic' would otherwise drop 'self' for it.
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** Set by proxy.ts on every request it passes on: the path, for the root layout's sign-in check. */
export const CONSOLE_PATH_HEADER = "x-console-path";

/** Paths a signed-out visitor may open: the sign-in pages and better-auth's own endpoints. */
export function isPublicPath(pathname: string): boolean {
  return (
    pathname === "/sign-in" ||
    pathname === "/forgot-password" ||
    pathname === "/reset-password" ||
    pathname.startsWith("/invite/") ||
    pathname.startsWith("/api/auth/") ||
    pathname.startsWith("/_next/") ||
    pathname === "/favicon.ico"
  );
}
