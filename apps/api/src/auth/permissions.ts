import { ApiScope, Role } from "@notify/db";
import type { AuthChecker } from "type-graphql";
import type { Context } from "../context.js";
import { ForbiddenError, UnauthenticatedError } from "../errors.js";
import type { Principal } from "./principal.js";

/**
 * What a root field needs. Every Query, Mutation and Subscription field carries
 * `@Authorized(Permission.X)` (graphql/authorization.test.ts fails otherwise); a field listing
 * several needs all of them. Users get permissions from their role in the app, API keys from their
 * scopes; recipient tokens are limited separately, by @RecipientAllowed (principal-guard.ts).
 */
export enum Permission {
  SEND = "SEND",
  SCHEDULE = "SCHEDULE",
  TEMPLATES_READ = "TEMPLATES_READ",
  TEMPLATES_WRITE = "TEMPLATES_WRITE",
  RECIPIENTS_READ = "RECIPIENTS_READ",
  RECIPIENTS_WRITE = "RECIPIENTS_WRITE",
  HISTORY_READ = "HISTORY_READ",
  DEAD_LETTERS_REPLAY = "DEAD_LETTERS_REPLAY",
  TEST_SEND = "TEST_SEND",
  ADMIN = "ADMIN",
}

const ALL = Object.values(Permission);
const VIEWER = [Permission.TEMPLATES_READ, Permission.RECIPIENTS_READ, Permission.HISTORY_READ];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  [Role.VIEWER]: new Set(VIEWER),
  // Support answers recipients' questions: edits their contact points and preferences, resends
  // and replays dead letters.
  [Role.SUPPORT]: new Set([...VIEWER, Permission.RECIPIENTS_WRITE, Permission.DEAD_LETTERS_REPLAY, Permission.SEND]),
  [Role.EDITOR]: new Set([...VIEWER, Permission.TEMPLATES_WRITE, Permission.TEST_SEND]),
  [Role.ADMIN]: new Set(ALL),
};

export const SCOPE_PERMISSIONS: Record<ApiScope, readonly Permission[]> = {
  [ApiScope.SEND]: [Permission.SEND, Permission.TEST_SEND],
  [ApiScope.SCHEDULE]: [Permission.SCHEDULE],
  [ApiScope.TEMPLATES]: [Permission.TEMPLATES_READ, Permission.TEMPLATES_WRITE],
  [ApiScope.RECIPIENTS]: [Permission.RECIPIENTS_READ, Permission.RECIPIENTS_WRITE],
  [ApiScope.HISTORY]: [Permission.HISTORY_READ, Permission.DEAD_LETTERS_REPLAY],
  [ApiScope.ADMIN]: ALL,
};

/** What this principal may do in its app; recipient tokens get nothing here (see principalGuard). */
export function permissionsOf(principal: Principal): ReadonlySet<Permission> {
  switch (principal.kind) {
    case "user":
      return ROLE_PERMISSIONS[principal.role];
    case "app":
      return new Set(principal.scopes.flatMap((s) => SCOPE_PERMISSIONS[s]));
    case "recipient":
      return new Set();
  }
}

function describe(principal: Principal): string {
  if (principal.kind === "user") return `the ${principal.role} role`;
  if (principal.kind === "app") return `this API key (scopes: ${principal.scopes.join(", ") || "none"})`;
  return "a recipient token";
}

/** Throws FORBIDDEN naming what is missing; for checks that depend on arguments (e.g. sendAt needs SCHEDULE). */
export function requirePermissions(principal: Principal, needed: readonly Permission[], what: string): void {
  const held = permissionsOf(principal);
  const missing = needed.filter((p) => !held.has(p));
  if (missing.length)
    throw new ForbiddenError(`${what} needs the ${missing.join(" and ")} permission${missing.length > 1 ? "s" : ""}, which ${describe(principal)} does not grant`, "MISSING_PERMISSION", {
      missingPermissions: missing,
    });
}

/** The caller as of now: a console user on a socket gets their current role (see Context.currentRole). */
export async function currentPrincipal(context: Context): Promise<Principal> {
  const { principal } = context;
  if (principal.kind !== "user" || !context.currentRole) return principal;
  const role = await context.currentRole();
  if (!role) throw new UnauthenticatedError("This user no longer has access to this app");
  return role === principal.role ? principal : { ...principal, role };
}

/**
 * type-graphql's check for @Authorized. Recipient tokens pass here: principalGuard (a global
 * middleware) lets them reach only @RecipientAllowed fields, and only their own recipient's data.
 * Refusals are thrown rather than returned, so the caller learns which permission is missing.
 */
export const authChecker: AuthChecker<Context, Permission> = async ({ context, info }, needed) => {
  if (context.principal.kind === "recipient") return true;
  requirePermissions(await currentPrincipal(context), needed, info.fieldName);
  return true;
};

/**
 * A subscription's events for as long as its caller keeps the permissions: a console user removed
 * or demoted while subscribed gets one error and the stream ends (rather than an error per event,
 * which would still tell them when the app is busy).
 */
export async function* whileAuthorized<T>(context: Context, needed: readonly Permission[], what: string, source: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const event of source) {
    if (context.currentRole) requirePermissions(await currentPrincipal(context), needed, what);
    yield event;
  }
}
