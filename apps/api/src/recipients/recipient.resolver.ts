import { Authorized, Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import { RecipientAllowed } from "../auth/principal-guard.js";
import type { Context } from "../context.js";
import { UpsertRecipientInput } from "./recipient.input.js";
import { DeleteRecipientPayload, Recipient } from "./recipient.type.js";

@Resolver(() => Recipient)
export class RecipientResolver {
  @Mutation(() => Recipient, { description: "Creates or updates a recipient and their contact points." })
  @Authorized(Permission.RECIPIENTS_WRITE)
  upsertRecipient(@Arg("input") input: UpsertRecipientInput, @Ctx() ctx: Context): Promise<Recipient> {
    return ctx.services.recipients.upsert(ctx.app.appId, input);
  }

  @Query(() => Recipient, { description: "A recipient with their devices, preferences and quiet hours; a recipient token reads its own." })
  @RecipientAllowed({ externalId: "externalId" })
  @Authorized(Permission.RECIPIENTS_READ)
  recipient(@Arg("externalId") externalId: string, @Ctx() ctx: Context): Promise<Recipient> {
    return ctx.services.recipients.get(ctx.app.appId, externalId);
  }

  @Mutation(() => DeleteRecipientPayload, {
    description:
      "Erases a recipient (privacy request): contact points, devices, preferences, quiet hours, topic subscriptions, recurring schedules and the content of their past notifications. Their scheduled and queued notifications are canceled first; the rest stay as anonymous counts. The externalId is free again.",
  })
  @Authorized(Permission.RECIPIENTS_WRITE)
  async deleteRecipient(@Arg("externalId") externalId: string, @Ctx() ctx: Context): Promise<DeleteRecipientPayload> {
    // The audit row names the externalId (the app's own user id) and counts, never the erased data.
    const erased = await ctx.services.recipientErasure.erase(ctx.app.appId, externalId, (tx, result) =>
      ctx.services.audit.recordFor(ctx, { action: "recipient.delete", targetType: "recipient", targetId: externalId, summary: { after: { ...result } } }, tx),
    );
    return { externalId, ...erased };
  }
}
