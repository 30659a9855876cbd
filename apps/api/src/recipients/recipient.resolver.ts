import { Authorized, Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import { RecipientAllowed } from "../auth/principal-guard.js";
import type { Context } from "../context.js";
import { UpsertRecipientInput } from "./recipient.input.js";
import { Recipient } from "./recipient.type.js";

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
}
