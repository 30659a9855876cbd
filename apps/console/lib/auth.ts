import "server-only";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware, getSessionFromCtx, isAPIError } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { genericOAuth } from "better-auth/plugins/generic-oauth";
import { identityProviderMayAdmit, grantMemberships, normalEmail } from "./admission";
import { recentFailures, recordAuthEvent } from "./auth-audit";
import { db } from "./db";
import { consoleEnv } from "./env";
import { sendAccountEmail } from "./mail";
import { hashPassword, verifyPassword } from "./passwords";

/** Sessions last 12 h and slide: any request after an hour renews them. */
export const SESSION_SECONDS = 12 * 60 * 60;
/**
 * Per account, whatever address the attempts come from: after this many failed passwords in the
 * window, sign-in for that email is refused until the oldest failure leaves the window.
 */
export const MAX_FAILED_SIGN_INS = 5;
export const FAILED_SIGN_IN_WINDOW_MS = 15 * 60 * 1000;

function build() {
  const env = consoleEnv();
  const secure = env.publicUrl.startsWith("https:");
  const oidc = env.oidc;
  return betterAuth({
    appName: "Notify console",
    baseURL: env.publicUrl,
    basePath: "/api/auth",
    secret: env.authSecret,
    trustedOrigins: [env.publicUrl],
    database: prismaAdapter(db(), { provider: "postgresql" }),
    user: {
      modelName: "consoleUser",
      additionalFields: { platformAdmin: { type: "boolean", input: false, required: false, defaultValue: false } },
      // Sign-up is closed: an identity provider's user gets in only with a verified email that
      // was invited or is in an allowed domain (checked again at every sign-in).
      validateUserInfo: async ({ user, source }) => {
        if (source.method === "email-password") return;
        if (!user.email || !(await identityProviderMayAdmit(user.email, user.emailVerified === true))) {
          return { error: "not_invited", errorDescription: "This email was not invited to the console, or the identity provider did not verify it" };
        }
      },
    },
    session: { modelName: "consoleSession", expiresIn: SESSION_SECONDS, updateAge: 60 * 60 },
    account: { modelName: "consoleAccount", accountLinking: { enabled: true, trustedProviders: [] } },
    verification: { modelName: "consoleVerification" },
    rateLimit: {
      enabled: true,
      storage: "database",
      modelName: "consoleRateLimit",
      window: 60,
      max: 100,
      customRules: {
        "/sign-in/email": { window: 60, max: 10 },
        "/sign-in/social": { window: 60, max: 10 },
        "/request-password-reset": { window: 60, max: 3 },
        "/reset-password": { window: 60, max: 5 },
      },
    },
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: 10,
      maxPasswordLength: 256,
      password: { hash: hashPassword, verify: verifyPassword },
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: 60 * 60,
      sendResetPassword: async ({ user, url }) => {
        await sendAccountEmail(
          user.email,
          "Reset your Notify console password",
          `Someone asked to reset the password of ${user.email} on the Notify console.\n\nSet a new one here (the link works for an hour, once):\n${url}\n\nIf it was not you, ignore this email.`,
        );
      },
    },
    plugins: [
      ...(oidc
        ? [
            genericOAuth({
              config: [
                {
                  providerId: oidc.providerId,
                  name: oidc.name,
                  discoveryUrl: `${oidc.issuer}/.well-known/openid-configuration`,
                  clientId: oidc.clientId,
                  clientSecret: oidc.clientSecret,
                  scopes: ["openid", "email", "profile"],
                  pkce: true,
                  requireIdTokenVerification: true,
                },
              ],
            }),
          ]
        : []),
      // Cookies set by auth.api calls inside server actions reach the browser.
      nextCookies(),
    ],
    advanced: {
      useSecureCookies: secure,
      cookiePrefix: "notify-console",
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", secure },
      // The console is bound to loopback with no proxy in front; behind one, name the header it sets.
      ipAddress: { ipAddressHeaders: [process.env.CONSOLE_CLIENT_IP_HEADER || "x-forwarded-for"] },
    },
    onAPIError: { errorURL: "/sign-in" },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === "/sign-in/email") {
          const email = normalEmail(String((ctx.body as { email?: unknown })?.email ?? ""));
          if ((await recentFailures(email, FAILED_SIGN_IN_WINDOW_MS)) >= MAX_FAILED_SIGN_INS) {
            throw new APIError("TOO_MANY_REQUESTS", { message: "Too many failed sign-ins for this email: wait 15 minutes, or reset the password" });
          }
        }
        if (ctx.path === "/sign-out") {
          const session = await getSessionFromCtx(ctx).catch(() => null);
          if (session) await recordAuthEvent({ action: "auth.sign_out", email: session.user.email, userId: session.user.id, sourceIp: clientIp(ctx.headers) });
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path === "/sign-in/email" && isAPIError(ctx.context.returned) && ctx.context.returned.statusCode === 401) {
          const email = normalEmail(String((ctx.body as { email?: unknown })?.email ?? ""));
          const user = await db().consoleUser.findUnique({ where: { email }, select: { id: true } });
          await recordAuthEvent({ action: "auth.sign_in_failed", email, userId: user?.id, sourceIp: clientIp(ctx.headers), summary: { method: "password" } });
        }
      }),
    },
    databaseHooks: {
      session: {
        create: {
          after: async (session, ctx) => {
            const user = await db().consoleUser.findUniqueOrThrow({ where: { id: session.userId }, select: { email: true } });
            const viaIdentityProvider = Boolean(ctx?.path?.startsWith("/callback/"));
            await grantMemberships(session.userId, user.email, { viaIdentityProvider });
            await recordAuthEvent({
              action: "auth.sign_in",
              email: user.email,
              userId: session.userId,
              sourceIp: session.ipAddress || null,
              summary: { method: viaIdentityProvider ? (oidc?.providerId ?? "oidc") : "password" },
            });
          },
        },
      },
    },
    telemetry: { enabled: false },
  });
}

function clientIp(headers: Headers | undefined): string | null {
  const value = headers?.get(process.env.CONSOLE_CLIENT_IP_HEADER || "x-forwarded-for");
  return value?.split(",")[0]?.trim() || null;
}

let instance: ReturnType<typeof build> | undefined;

/** Built at the first request (not at import: `next build` imports this too, without secrets). */
export function auth(): ReturnType<typeof build> {
  instance ??= build();
  return instance;
}
