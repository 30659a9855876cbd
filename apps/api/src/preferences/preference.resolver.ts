import { Authorized, Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import { ChannelScope } from "@notify/db";
import { RecipientAllowed } from "../auth/principal-guard.js";
import type { Context } from "../context.js";
import { Recipient } from "../recipients/recipient.type.js";
import { Category, Preference, QuietHours } from "./preference.type.js";

@Resolver(() => Preference)
export class PreferenceResolver {
  @Mutation(() => Preference, {
    description:
      'Opts a recipient in or out of a channel (ALL = every channel) and category ("*" = every category). An unknown category is created as a non-required one; turning a required category off fails with CATEGORY_REQUIRED.',
  })
  @RecipientAllowed({ externalId: "externalId" })
  @Authorized(Permission.RECIPIENTS_WRITE)
  async setPreference(
    @Arg("externalId") externalId: string,
    @Arg("channel", () => ChannelScope) channel: ChannelScope,
    @Arg("category", () => String, { defaultValue: "*" }) category: string,
    @Arg("enabled") enabled: boolean,
    @Ctx() ctx: Context,
  ): Promise<Preference> {
    const bySupport = ctx.principal.kind === "user";
    const before = bySupport ? (await ctx.services.preferences.list(ctx.app.appId, externalId)).find((p) => p.channel === channel && p.category === category) : undefined;
    const set = await ctx.services.preferences.set(ctx.app.appId, { externalId, channel, category, enabled });
    if (bySupport)
      await ctx.services.audit.recordFor(ctx, {
        action: "preference.set_by_support",
        targetType: "recipient",
        targetId: externalId,
        summary: { channel, category, before: { enabled: before?.enabled ?? null }, after: { enabled: set.enabled } },
      });
    return set;
  }

  @Query(() => [Preference], { description: "A recipient's rules; no rule means opted in." })
  @RecipientAllowed({ externalId: "externalId" })
  @Authorized(Permission.RECIPIENTS_READ)
  preferences(@Arg("externalId") externalId: string, @Ctx() ctx: Context): Promise<Preference[]> {
    return ctx.services.preferences.list(ctx.app.appId, externalId);
  }

  @Mutation(() => Category, { description: "Declares a category, or changes its description or whether it is required." })
  @Authorized(Permission.TEMPLATES_WRITE)
  upsertCategory(
    @Arg("key") key: string,
    @Arg("description", () => String, { nullable: true }) description: string | null | undefined,
    @Arg("required", { defaultValue: false }) required: boolean,
    @Ctx() ctx: Context,
  ): Promise<Category> {
    return ctx.services.preferences.upsertCategory(ctx.app.appId, { key, description, required });
  }

  @Query(() => [Category])
  @Authorized(Permission.TEMPLATES_READ)
  categories(@Ctx() ctx: Context): Promise<Category[]> {
    return ctx.services.preferences.categories(ctx.app.appId);
  }

  @Mutation(() => Recipient, {
    description: 'Sets quiet hours as 24-hour "HH:MM" times in the recipient\'s time zone; end before start wraps past midnight (e.g. 22:00–07:00).',
  })
  @RecipientAllowed({ externalId: "externalId" })
  @Authorized(Permission.RECIPIENTS_WRITE)
  async setQuietHours(@Arg("externalId") externalId: string, @Arg("start") start: string, @Arg("end") end: string, @Ctx() ctx: Context): Promise<Recipient> {
    return this.auditedQuietHours(ctx, externalId, () => ctx.services.preferences.setQuietHours(ctx.app.appId, externalId, start, end));
  }

  @Mutation(() => Recipient)
  @RecipientAllowed({ externalId: "externalId" })
  @Authorized(Permission.RECIPIENTS_WRITE)
  clearQuietHours(@Arg("externalId") externalId: string, @Ctx() ctx: Context): Promise<Recipient> {
    return this.auditedQuietHours(ctx, externalId, () => ctx.services.preferences.clearQuietHours(ctx.app.appId, externalId));
  }

  /** Quiet hours are preferences too: a console user's change is audited with before/after. */
  private async auditedQuietHours(ctx: Context, externalId: string, change: () => Promise<Recipient>): Promise<Recipient> {
    if (ctx.principal.kind !== "user") return change();
    const quiet = (r: Parameters<typeof ctx.services.preferences.quietHoursOf>[0]) => ctx.services.preferences.quietHoursOf(r);
    const before = quiet(await ctx.services.recipients.get(ctx.app.appId, externalId));
    const after = await change();
    await ctx.services.audit.recordFor(ctx, {
      action: "preference.set_by_support",
      targetType: "recipient",
      targetId: externalId,
      summary: { quietHours: true, before, after: quiet(after as never) },
    });
    return after;
  }
}

@Resolver(() => Recipient)
export class RecipientPreferencesResolver {
  @FieldResolver(() => [Preference])
  preferences(@Root() recipient: Recipient, @Ctx() ctx: Context): Promise<Preference[]> {
    return ctx.services.preferences.forRecipient(recipient.id);
  }

  @FieldResolver(() => QuietHours, { nullable: true })
  quietHours(@Root() recipient: Recipient & { quietStartMinute: number | null; quietEndMinute: number | null }, @Ctx() ctx: Context): QuietHours | null {
    return ctx.services.preferences.quietHoursOf(recipient);
  }
}
