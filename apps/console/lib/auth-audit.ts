import "server-only";
import { db } from "./db";

export type AuthAction = "auth.sign_in" | "auth.sign_in_failed" | "auth.sign_out";

/**
 * Sign-in events, written straight to the append-only AuditLog (the API writes everything
 * else). A sign-in names no single app, so there is one row per app the user belongs to, which
 * is what each app's admin filters the audit page by; a failed attempt for an unknown email has
 * no app.
 */
export async function recordAuthEvent({ action, email, userId, sourceIp, summary }: { action: AuthAction; email: string; userId?: string; sourceIp?: string | null; summary?: Record<string, string> }): Promise<void> {
  const appIds = userId ? (await db().membership.findMany({ where: { userId }, select: { appId: true } })).map((m) => m.appId) : [];
  const row = { actorType: "user", actorId: userId ?? null, actorLabel: email, action, sourceIp: sourceIp ?? null, summary: summary ?? undefined };
  await db().auditLog.createMany({ data: appIds.length ? appIds.map((appId) => ({ ...row, appId })) : [{ ...row, appId: null }] });
}

/** Failed password sign-ins for one email in the last `windowMs`: the per-account throttle reads these. */
export function recentFailures(email: string, windowMs: number): Promise<number> {
  return db().auditLog.count({ where: { action: "auth.sign_in_failed", actorLabel: email, createdAt: { gte: new Date(Date.now() - windowMs) } } });
}
