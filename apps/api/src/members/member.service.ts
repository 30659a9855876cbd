import { Prisma, Role, type Db } from "@notify/db";
import { ConflictError, InputError, NotFoundError } from "../errors.js";
import { isUuid } from "../uuid.js";

const INVITATION_LIFETIME_MS = 7 * 24 * 3600 * 1000;
// Deliberately loose (the invitation email is the real check); refuses what is clearly not one.
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const NAME_MAX = 100;

export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export interface AppRole {
  appId: string;
  name: string;
  role: Role;
}

/**
 * Who belongs to an app and with which role, invitations and allowed SSO domains. The rule
 * every change keeps: an app has at least one ADMIN (checked under a lock on the app's admin
 * rows, so two admins demoting each other at once cannot both succeed).
 */
export class MemberService {
  constructor(private readonly db: Db) {}

  async members(appId: string): Promise<MemberRow[]> {
    const rows = await this.db.membership.findMany({
      where: { appId },
      include: { user: { select: { email: true, name: true } } },
      orderBy: [{ createdAt: "asc" }, { userId: "asc" }],
    });
    return rows.map((m) => ({ userId: m.userId, email: m.user.email, name: m.user.name, role: m.role, createdAt: m.createdAt }));
  }

  /** The apps a user may switch to: their memberships, or every app for a platform admin. */
  async appsOf(userId: string): Promise<{ platformAdmin: boolean; apps: AppRole[] }> {
    const user = await this.db.consoleUser.findUnique({ where: { id: userId }, select: { platformAdmin: true, memberships: { include: { app: { select: { name: true } } } } } });
    if (!user) return { platformAdmin: false, apps: [] };
    if (user.platformAdmin) {
      const apps = await this.db.app.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }], select: { id: true, name: true } });
      return { platformAdmin: true, apps: apps.map((a) => ({ appId: a.id, name: a.name, role: Role.ADMIN })) };
    }
    const apps = user.memberships.map((m) => ({ appId: m.appId, name: m.app.name, role: m.role }));
    return { platformAdmin: false, apps: apps.sort((a, b) => a.name.localeCompare(b.name) || a.appId.localeCompare(b.appId)) };
  }

  async appName(appId: string): Promise<string> {
    return (await this.db.app.findUnique({ where: { id: appId }, select: { name: true } }))?.name ?? "";
  }

  async setRole(appId: string, userId: string, role: Role): Promise<MemberRow> {
    await this.db.$transaction(async (tx) => {
      const current = await tx.membership.findUnique({ where: { userId_appId: { userId, appId } } });
      if (!current) throw new NotFoundError("Member", userId);
      if (current.role === Role.ADMIN && role !== Role.ADMIN) await assertAnotherAdmin(tx, appId, userId);
      await tx.membership.update({ where: { userId_appId: { userId, appId } }, data: { role } });
    });
    return (await this.members(appId)).find((m) => m.userId === userId)!;
  }

  async remove(appId: string, userId: string): Promise<MemberRow> {
    const before = (await this.members(appId)).find((m) => m.userId === userId);
    if (!before) throw new NotFoundError("Member", userId);
    await this.db.$transaction(async (tx) => {
      const current = await tx.membership.findUnique({ where: { userId_appId: { userId, appId } } });
      if (!current) throw new NotFoundError("Member", userId);
      if (current.role === Role.ADMIN) await assertAnotherAdmin(tx, appId, userId);
      await tx.membership.delete({ where: { userId_appId: { userId, appId } } });
    });
    return before;
  }

  /** A pending invitation (the console emails it and handles acceptance); replaces an earlier pending one for the same email. */
  async invite(appId: string, rawEmail: string, role: Role, invitedBy?: string): Promise<{ id: string; email: string; role: Role; expiresAt: Date; createdAt: Date }> {
    const email = rawEmail.trim().toLowerCase();
    if (!EMAIL.test(email) || email.length > 254) throw new InputError("INVALID_EMAIL", `${JSON.stringify(rawEmail)} is not an email address`, "email");
    const member = await this.db.membership.findFirst({ where: { appId, user: { email } } });
    if (member) throw new ConflictError("ALREADY_MEMBER", `${email} is already a member of this app`);
    return this.db.$transaction(async (tx) => {
      await tx.invitation.deleteMany({ where: { appId, email, acceptedAt: null } });
      return tx.invitation.create({
        data: { appId, email, role, invitedBy, expiresAt: new Date(Date.now() + INVITATION_LIFETIME_MS) },
        select: { id: true, email: true, role: true, expiresAt: true, createdAt: true },
      });
    });
  }

  /** Invitations not accepted yet (expired ones included, so an admin sees why someone could not join). */
  invitations(appId: string) {
    return this.db.invitation.findMany({
      where: { appId, acceptedAt: null },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      select: { id: true, email: true, role: true, expiresAt: true, createdAt: true },
    });
  }

  async revokeInvitation(appId: string, id: string): Promise<string> {
    const { count } = isUuid(id) ? await this.db.invitation.deleteMany({ where: { id, appId, acceptedAt: null } }) : { count: 0 };
    if (!count) throw new NotFoundError("Invitation", id);
    return id;
  }

  allowedDomains(appId: string) {
    return this.db.allowedDomain.findMany({ where: { appId }, orderBy: { domain: "asc" }, select: { domain: true, role: true, createdAt: true } });
  }

  /**
   * Verified SSO users with an email at this domain may join with this role. ADMIN is refused:
   * a whole domain should not be able to hand out keys and users; promote admins one by one.
   */
  async allowDomain(appId: string, rawDomain: string, role: Role) {
    const domain = rawDomain.trim().toLowerCase().replace(/^@/, "");
    if (!DOMAIN.test(domain)) throw new InputError("INVALID_DOMAIN", `${JSON.stringify(rawDomain)} is not a domain name (e.g. example.com)`, "domain");
    if (role === Role.ADMIN) throw new InputError("DOMAIN_ROLE_TOO_HIGH", "A domain may grant at most EDITOR; make admins one by one", "role");
    return this.db.allowedDomain.upsert({
      where: { appId_domain: { appId, domain } },
      create: { appId, domain, role },
      update: { role },
      select: { domain: true, role: true, createdAt: true },
    });
  }

  async removeAllowedDomain(appId: string, rawDomain: string): Promise<string> {
    const domain = rawDomain.trim().toLowerCase().replace(/^@/, "");
    const { count } = await this.db.allowedDomain.deleteMany({ where: { appId, domain } });
    if (!count) throw new NotFoundError("AllowedDomain", domain);
    return domain;
  }

  /** A new app whose first ADMIN is its creator. */
  async createApp(rawName: string, creatorUserId: string): Promise<AppRole> {
    const name = rawName.trim();
    if (!name || name.length > NAME_MAX) throw new InputError("INVALID_NAME", `An app name is 1 to ${NAME_MAX} characters`, "name");
    const app = await this.db.app.create({ data: { name, memberships: { create: { userId: creatorUserId, role: Role.ADMIN } } } });
    return { appId: app.id, name: app.name, role: Role.ADMIN };
  }
}

/** Locks the app's admin rows and refuses when `userId` is the only one. */
async function assertAnotherAdmin(tx: Prisma.TransactionClient, appId: string, userId: string): Promise<void> {
  const admins = await tx.$queryRaw<{ userId: string }[]>`SELECT "userId" FROM "Membership" WHERE "appId" = ${appId}::uuid AND role = 'ADMIN' FOR UPDATE`;
  if (!admins.some((a) => a.userId !== userId)) throw new ConflictError("LAST_ADMIN", "An app must keep at least one ADMIN: make someone else ADMIN first");
}
