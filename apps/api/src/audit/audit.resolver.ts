import { Arg, Authorized, Ctx, Int, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { AuditLogFilter } from "./audit.input.js";
import { AuditLogPage } from "./audit.type.js";

@Resolver()
export class AuditLogResolver {
  @Query(() => AuditLogPage, { description: "The app's audit log, newest first (admins only)." })
  @Authorized(Permission.ADMIN)
  async auditLog(
    @Arg("filter", () => AuditLogFilter, { nullable: true }) filter: AuditLogFilter | undefined,
    @Arg("first", () => Int, { defaultValue: 50, description: "At most 200." }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<AuditLogPage> {
    const page = await ctx.services.audit.list(ctx.app.appId, filter ?? {}, first, after);
    return {
      entries: page.entries.map((row) => ({ ...row, id: String(row.id), summary: row.summary as Record<string, unknown> | null })),
      nextCursor: page.nextCursor,
    };
  }
}
