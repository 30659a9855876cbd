import { Authorized, Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import { RecipientAllowed } from "../auth/principal-guard.js";
import type { Context } from "../context.js";
import { Notification } from "./notification.type.js";
import { RescheduleInput } from "./schedule.input.js";

@Resolver()
export class ScheduleResolver {
  @Mutation(() => Notification, {
    description: "Cancels a notification that no worker has picked up yet (PENDING or QUEUED); CONFLICT NOT_CANCELABLE otherwise.",
  })
  @RecipientAllowed({ notificationId: "id" })
  @Authorized(Permission.SCHEDULE)
  cancelNotification(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Notification> {
    return ctx.services.schedules.cancel(ctx.app.appId, id) as Promise<Notification>;
  }

  @Mutation(() => Notification, {
    description: "Moves a PENDING or QUEUED notification to a new delivery time; CONFLICT NOT_RESCHEDULABLE otherwise.",
  })
  @RecipientAllowed({ notificationId: "id" })
  @Authorized(Permission.SCHEDULE)
  rescheduleNotification(
    @Arg("id", () => ID) id: string,
    @Arg("input") input: RescheduleInput,
    @Ctx() ctx: Context,
  ): Promise<Notification> {
    return ctx.services.schedules.reschedule(ctx.app.appId, id, input) as Promise<Notification>;
  }
}
