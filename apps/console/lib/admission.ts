import "server-only";
import type { Role } from "@notify/db";
import { db } from "./db";

/** Sign-up is closed: these are the only ways in. */

export function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

function domainOf(email: string): string {
  return normalEmail(email).split("@").pop() ?? "";
}

/** Invitations still open for this email (not accepted, not expired), newest first. */
export function openInvitations(email: string) {
  return db().invitation.findMany({
    where: { email: normalEmail(email), acceptedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
  });
}

/**
 * Whether an identity provider's user may get in: their email must be verified by the provider
 * and invited, or in a domain an admin allowed, or already a member (or a platform admin).
 */
export async function identityProviderMayAdmit(email: string, emailVerified: boolean): Promise<boolean> {
  if (!emailVerified) return false;
  const address = normalEmail(email);
  const existing = await db().consoleUser.findUnique({ where: { email: address }, select: { platformAdmin: true, _count: { select: { memberships: true } } } });
  if (existing && (existing.platformAdmin || existing._count.memberships > 0)) return true;
  if ((await openInvitations(address)).length > 0) return true;
  return (await db().allowedDomain.count({ where: { domain: domainOf(address) } })) > 0;
}

/**
 * Turns what let a user in into memberships, at every sign-in: open invitations (marked
 * accepted) and, for a user whose email an identity provider verified, allowed domains. An
 * existing membership keeps its role (an admin may have changed it since).
 */
export async function grantMemberships(userId: string, email: string, { viaIdentityProvider }: { viaIdentityProvider: boolean }): Promise<void> {
  const address = normalEmail(email);
  const grants = new Map<string, Role>();
  const invitations = await openInvitations(address);
  for (const inv of invitations) if (!grants.has(inv.appId)) grants.set(inv.appId, inv.role);
  if (viaIdentityProvider) {
    for (const d of await db().allowedDomain.findMany({ where: { domain: domainOf(address) } })) if (!grants.has(d.appId)) grants.set(d.appId, d.role);
  }
  if (grants.size === 0) return;
  await db().$transaction([
    ...[...grants].map(([appId, role]) =>
      db().membership.upsert({ where: { userId_appId: { userId, appId } }, create: { userId, appId, role }, update: {} }),
    ),
    db().invitation.updateMany({ where: { id: { in: invitations.map((i) => i.id) } }, data: { acceptedAt: new Date() } }),
  ]);
}
