import { Authorized, Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import { RecipientAllowed } from "../auth/principal-guard.js";
import type { Context } from "../context.js";
import { loadersFor } from "../graphql/loaders.js";
import { Recipient } from "../recipients/recipient.type.js";
import { CreateRecurringScheduleInput } from "./recurring.input.js";
import { RecurringSchedule } from "./recurring.type.js";

@Resolver(() => RecurringSchedule)
export class RecurringScheduleResolver {
  @Mutation(() => RecurringSchedule, { description: "Sends the request to the recipient on every tick of the cron expression, read in the time zone." })
  @Authorized(Permission.SCHEDULE)
  @RecipientAllowed({ externalId: "input.externalId", sends: "input.request", recurs: "input" })
  createRecurringSchedule(@Arg("input") input: CreateRecurringScheduleInput, @Ctx() ctx: Context): Promise<RecurringSchedule> {
    const createdByTokenId = ctx.principal.kind === "recipient" ? (ctx.principal.tokenId ?? "untracked") : undefined;
    return ctx.services.recurring.create(ctx.app.appId, input, { createdByTokenId });
  }

  @Mutation(() => RecurringSchedule, { description: "Stops the schedule and cancels its notifications that have not been picked up yet." })
  @RecipientAllowed({ scheduleId: "id" })
  @Authorized(Permission.SCHEDULE)
  cancelRecurringSchedule(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<RecurringSchedule> {
    return ctx.services.recurring.cancel(ctx.app.appId, id);
  }

  @Query(() => [RecurringSchedule], { description: "A recipient's recurring schedules, newest first, canceled ones included." })
  @RecipientAllowed({ externalId: "externalId" })
  @Authorized(Permission.HISTORY_READ)
  recurringSchedules(@Arg("externalId") externalId: string, @Ctx() ctx: Context): Promise<RecurringSchedule[]> {
    return ctx.services.recurring.list(ctx.app.appId, externalId);
  }

  @FieldResolver(() => Recipient)
  @Authorized(Permission.RECIPIENTS_READ)
  async recipient(@Root() s: RecurringSchedule, @Ctx() ctx: Context): Promise<Recipient> {
    const recipient = await loadersFor(ctx).recipient.load(s.recipientId);
    if (!recipient) throw new Error(`recipient ${s.recipientId} of schedule ${s.id} is gone`);
    return recipient;
  }
}
