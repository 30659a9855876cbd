import { Authorized, Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Permission, requirePermissions } from "../auth/permissions.js";
import { RecipientAllowed } from "../auth/principal-guard.js";
import type { Context } from "../context.js";
import { listCost, PAGES, pageSize } from "../graphql/cost.js";
import { loadersFor } from "../graphql/loaders.js";
import { Recipient } from "../recipients/recipient.type.js";
import { SendNotificationInput } from "./send.input.js";
import { DeliveryAttempt, DeliveryEvent, Notification, SendNotificationPayload } from "./notification.type.js";

@Resolver(() => Notification)
export class NotificationResolver {
  @Mutation(() => SendNotificationPayload, {
    description: "Accepts a notification for one recipient on one or more channels; delivery is asynchronous.",
  })
  @Authorized(Permission.SEND)
  @RecipientAllowed({ externalId: "input.externalId", sends: "input" })
  sendNotification(@Arg("input") input: SendNotificationInput, @Ctx() ctx: Context): Promise<SendNotificationPayload> {
    // A send for later is scheduling: a SEND-only key may not queue work for the future.
    if ((input.sendAt || input.sendAtLocal) && ctx.principal.kind !== "recipient") requirePermissions(ctx.principal, [Permission.SCHEDULE], "sendNotification with sendAt");
    return ctx.services.notifications.send(ctx.app.appId, input) as Promise<SendNotificationPayload>;
  }

  @Query(() => Notification)
  @RecipientAllowed({ notificationId: "id" })
  @Authorized(Permission.HISTORY_READ)
  notification(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Notification> {
    return ctx.services.notifications.get(ctx.app.appId, id) as Promise<Notification>;
  }

  @Query(() => [Notification], { description: "A recipient's notifications, newest first.", complexity: listCost(PAGES.deliveryHistory) })
  @RecipientAllowed({ externalId: "externalId" })
  @Authorized(Permission.HISTORY_READ)
  deliveryHistory(
    @Arg("externalId") externalId: string,
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Arg("before", () => ID, { nullable: true }) before: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<Notification[]> {
    return ctx.services.notifications.history(ctx.app.appId, externalId, { first, before }) as Promise<Notification[]>;
  }

  // Contact points are recipient data: a SEND- or HISTORY-only key does not read them through a notification.
  @FieldResolver(() => Recipient)
  @Authorized(Permission.RECIPIENTS_READ)
  async recipient(@Root() n: Notification, @Ctx() ctx: Context): Promise<Recipient> {
    const recipient = await loadersFor(ctx).recipient.load(n.recipientId);
    if (!recipient) throw new Error(`recipient ${n.recipientId} of notification ${n.id} is gone`);
    return recipient;
  }

  @FieldResolver(() => [DeliveryAttempt], { description: "In attempt order; `first` at most 100 (default 20).", complexity: listCost(PAGES.attempts) })
  attempts(@Root() n: Notification, @Arg("first", () => Int, { nullable: true }) first: number | undefined, @Ctx() ctx: Context): Promise<DeliveryAttempt[]> {
    return loadersFor(ctx).attempts.load({ parentId: n.id, first: pageSize(first, PAGES.attempts) });
  }

  @FieldResolver(() => [DeliveryEvent], { description: "Oldest first; `first` at most 200 (default 50).", complexity: listCost(PAGES.events) })
  events(@Root() n: Notification, @Arg("first", () => Int, { nullable: true }) first: number | undefined, @Ctx() ctx: Context): Promise<DeliveryEvent[]> {
    return loadersFor(ctx).events.load({ parentId: n.id, first: pageSize(first, PAGES.events) }) as Promise<DeliveryEvent[]>;
  }
}
