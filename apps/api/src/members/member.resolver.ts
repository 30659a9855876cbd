import { Role } from "@notify/db";
import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { Permission, permissionsOf } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { ForbiddenError } from "../errors.js";
import { AllowedDomain, AppMembership, Invitation, Member, Viewer } from "./member.type.js";

/** Users and roles of the current app, for its admins; `viewer` for everyone. */
@Resolver()
export class MemberResolver {
  @Query(() => Viewer, { description: "Who is calling, with their role here and the apps they may switch to." })
  // Any console user or API key may ask who it is; recipient tokens cannot (principalGuard).
  @Authorized()
  async viewer(@Ctx() ctx: Context): Promise<Viewer> {
    const { principal } = ctx;
    const appName = await ctx.services.members.appName(ctx.app.appId);
    const permissions = [...permissionsOf(principal)];
    if (principal.kind === "user") {
      const { platformAdmin, apps } = await ctx.services.members.appsOf(principal.userId);
      return { kind: "user", appId: ctx.app.appId, appName, permissions, userId: principal.userId, email: principal.email, role: principal.role, platformAdmin, apps, scopes: null };
    }
    const scopes = principal.kind === "app" ? principal.scopes : [];
    return { kind: principal.kind, appId: ctx.app.appId, appName, permissions, userId: null, email: null, role: null, platformAdmin: false, apps: [], scopes };
  }

  @Query(() => [Member])
  @Authorized(Permission.ADMIN)
  members(@Ctx() ctx: Context): Promise<Member[]> {
    return ctx.services.members.members(ctx.app.appId);
  }

  @Mutation(() => Member, { description: "Changes a member's role; the app's last ADMIN cannot be demoted (CONFLICT LAST_ADMIN)." })
  @Authorized(Permission.ADMIN)
  async setMemberRole(@Arg("userId", () => ID) userId: string, @Arg("role", () => Role) role: Role, @Ctx() ctx: Context): Promise<Member> {
    const before = (await ctx.services.members.members(ctx.app.appId)).find((m) => m.userId === userId);
    const after = await ctx.services.members.setRole(ctx.app.appId, userId, role);
    await ctx.services.audit.recordFor(ctx, { action: "member.role_change", targetType: "user", targetId: userId, summary: { email: after.email, before: { role: before?.role ?? null }, after: { role } } });
    return after;
  }

  @Mutation(() => Member, { description: "Removes a member from this app (their account stays); not the last ADMIN. Returns who was removed." })
  @Authorized(Permission.ADMIN)
  async removeMember(@Arg("userId", () => ID) userId: string, @Ctx() ctx: Context): Promise<Member> {
    const removed = await ctx.services.members.remove(ctx.app.appId, userId);
    await ctx.services.audit.recordFor(ctx, { action: "member.remove", targetType: "user", targetId: userId, summary: { email: removed.email, before: { role: removed.role } } });
    return removed;
  }

  @Mutation(() => Invitation, { description: "Invites an email address with a role (valid 7 days); the console sends the email." })
  @Authorized(Permission.ADMIN)
  async inviteMember(@Arg("email") email: string, @Arg("role", () => Role) role: Role, @Ctx() ctx: Context): Promise<Invitation> {
    const invitation = await ctx.services.members.invite(ctx.app.appId, email, role, ctx.principal.kind === "user" ? ctx.principal.userId : undefined);
    await ctx.services.audit.recordFor(ctx, { action: "member.invite", targetType: "invitation", targetId: invitation.id, summary: { after: { email: invitation.email, role } } });
    return invitation;
  }

  @Query(() => [Invitation], { description: "Invitations not accepted yet, newest first." })
  @Authorized(Permission.ADMIN)
  invitations(@Ctx() ctx: Context): Promise<Invitation[]> {
    return ctx.services.members.invitations(ctx.app.appId);
  }

  @Mutation(() => ID, { description: "Withdraws a pending invitation; returns its id." })
  @Authorized(Permission.ADMIN)
  async revokeInvitation(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<string> {
    const revoked = await ctx.services.members.revokeInvitation(ctx.app.appId, id);
    await ctx.services.audit.recordFor(ctx, { action: "member.invite_revoke", targetType: "invitation", targetId: id });
    return revoked;
  }

  @Query(() => [AllowedDomain])
  @Authorized(Permission.ADMIN)
  allowedDomains(@Ctx() ctx: Context): Promise<AllowedDomain[]> {
    return ctx.services.members.allowedDomains(ctx.app.appId);
  }

  @Mutation(() => AllowedDomain, { description: "Lets verified SSO users at this domain join with this role (at most EDITOR)." })
  @Authorized(Permission.ADMIN)
  async allowDomain(@Arg("domain") domain: string, @Arg("role", () => Role, { defaultValue: Role.VIEWER }) role: Role, @Ctx() ctx: Context): Promise<AllowedDomain> {
    const allowed = await ctx.services.members.allowDomain(ctx.app.appId, domain, role);
    await ctx.services.audit.recordFor(ctx, { action: "domain.allow", targetType: "domain", targetId: allowed.domain, summary: { after: { role: allowed.role } } });
    return allowed;
  }

  @Mutation(() => String, { description: "Stops admitting SSO users by this domain (members who joined stay); returns the domain." })
  @Authorized(Permission.ADMIN)
  async removeAllowedDomain(@Arg("domain") domain: string, @Ctx() ctx: Context): Promise<string> {
    const removed = await ctx.services.members.removeAllowedDomain(ctx.app.appId, domain);
    await ctx.services.audit.recordFor(ctx, { action: "domain.remove", targetType: "domain", targetId: removed });
    return removed;
  }

  @Mutation(() => AppMembership, {
    description: "Creates an app whose first ADMIN is the calling console user (a platform admin, or an ADMIN of the current app).",
  })
  @Authorized(Permission.ADMIN)
  async createApp(@Arg("name") name: string, @Ctx() ctx: Context): Promise<AppMembership> {
    if (ctx.principal.kind !== "user") throw new ForbiddenError("createApp is for console users: the new app's first ADMIN is its creator", "CONSOLE_USERS_ONLY");
    const created = await ctx.services.members.createApp(name, ctx.principal.userId);
    // Recorded in the new app, whose first ADMIN can then see how it came to be.
    await ctx.services.audit.recordFor({ ...ctx, app: { appId: created.appId } }, { action: "app.create", targetType: "app", targetId: created.appId, summary: { after: { name: created.name }, fromApp: ctx.app.appId } });
    return created;
  }
}
