import "server-only";
import { randomUUID } from "node:crypto";
import { normalEmail } from "./admission";
import { db } from "./db";
import { consoleEnv } from "./env";
import { sendAccountEmail } from "./mail";
import { hashPassword } from "./passwords";

/** An invitation that can still be accepted, with its app's name; null when unknown, used or expired. */
export async function openInvitation(id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  return db().invitation.findFirst({
    where: { id, acceptedAt: null, expiresAt: { gt: new Date() } },
    include: { app: { select: { name: true } } },
  });
}

export class InvitationError extends Error {
  override name = "InvitationError";
}

/**
 * Accepting with a password: creates the user with the password (argon2id, providerId
 * "credential", accountId = user id: the rows better-auth and the CLI write) and the membership.
 * The invitation link went to that address, so the email counts as verified.
 */
export async function acceptWithPassword(id: string, password: string): Promise<{ email: string }> {
  const invitation = await openInvitation(id);
  if (!invitation) throw new InvitationError("This invitation is unknown, expired or already used");
  if (password.length < 10 || password.length > 256) throw new InvitationError("The password needs 10 to 256 characters");
  const email = normalEmail(invitation.email);
  if (await db().consoleUser.findUnique({ where: { email }, select: { id: true } })) {
    throw new InvitationError("This email already has a console account: sign in, and the invitation is accepted then");
  }
  const userId = randomUUID();
  const hash = await hashPassword(password);
  await db().$transaction([
    db().consoleUser.create({ data: { id: userId, email, name: email.split("@")[0] ?? email, emailVerified: true } }),
    db().consoleAccount.create({ data: { id: randomUUID(), userId, accountId: userId, providerId: "credential", password: hash } }),
    db().membership.create({ data: { userId, appId: invitation.appId, role: invitation.role } }),
    db().invitation.update({ where: { id }, data: { acceptedAt: new Date() } }),
  ]);
  return { email };
}

/** Where an invitation is accepted (the email carries it; an admin can pass it on when the email failed). */
export function invitationLink(id: string): string {
  return `${consoleEnv().publicUrl}/invite/${id}`;
}

/** The email an invitation sends (through the platform's own email channel); the Users page calls it after inviting. */
export async function sendInvitationEmail(id: string): Promise<void> {
  const invitation = await openInvitation(id);
  if (!invitation) throw new InvitationError("This invitation is unknown, expired or already used");
  const link = invitationLink(invitation.id);
  await sendAccountEmail(
    invitation.email,
    `You are invited to ${invitation.app.name} on the Notify console`,
    `You were invited to ${invitation.app.name} on the Notify console as ${invitation.role.toLowerCase()}.\n\nAccept (set a password, or sign in with your company's identity provider):\n${link}\n\nThe invitation expires on ${invitation.expiresAt.toISOString().slice(0, 10)}.`,
  );
}
