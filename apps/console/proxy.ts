import { NextResponse, type NextRequest } from "next/server";
import { checkRequest, CONSOLE_PATH_HEADER, contentSecurityPolicy, guardConfig, isPublicPath } from "./lib/request-guard";

/** Cookie names better-auth uses with our prefix (the __Secure- variant over https). */
const SESSION_COOKIES = ["notify-console.session_token", "__Secure-notify-console.session_token"];

let guard: ReturnType<typeof guardConfig> | undefined;

/**
 * In front of every page, route handler and server action: Host allow-list and Origin check
 * (DNS rebinding, CSRF), security headers with a per-request CSP nonce, and an early redirect to
 * /sign-in when there is no session cookie at all. The session itself is verified where data is
 * read (lib/viewer.ts), since a cookie's presence proves nothing.
 */
export function proxy(request: NextRequest) {
  guard ??= guardConfig();
  const https = request.nextUrl.protocol === "https:";
  const refusal = checkRequest(guard, request.method, request.headers.get("host"), request.headers.get("origin"), https ? "https:" : "http:");
  if (refusal) return withSecurityHeaders(NextResponse.json({ error: refusal.reason }, { status: refusal.status }));

  const { pathname } = request.nextUrl;
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (!hasSession && !isPublicPath(pathname)) {
    if (pathname.startsWith("/api/")) return withSecurityHeaders(NextResponse.json({ error: "Sign in first", code: "UNAUTHENTICATED" }, { status: 401 }));
    const signIn = new URL("/sign-in", request.url);
    if (pathname !== "/") signIn.searchParams.set("next", pathname + request.nextUrl.search);
    return withSecurityHeaders(NextResponse.redirect(signIn));
  }

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = contentSecurityPolicy(nonce, { https, dev: process.env.NODE_ENV === "development" });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set(CONSOLE_PATH_HEADER, pathname);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  return withSecurityHeaders(response);
}

function withSecurityHeaders(response: NextResponse): NextResponse {
  response.headers.set("x-content-type-options", "nosniff");
  response.headers.set("referrer-policy", "same-origin");
  response.headers.set("x-frame-options", "DENY");
  response.headers.set("cross-origin-opener-policy", "same-origin");
  response.headers.set("permissions-policy", "camera=(), microphone=(), geolocation=()");
  if (!response.headers.has("content-security-policy")) response.headers.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
  return response;
}

export const config = {
  // Everything, static files included: the Host check guards them too.
  matcher: "/:path*",
};
