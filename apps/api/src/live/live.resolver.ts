import { Authorized, Arg, Ctx, Query, Resolver, Root, Subscription } from "type-graphql";
import { currentPrincipal, Permission, requirePermissions, whileAuthorized } from "../auth/permissions.js";
import type { Context } from "../context.js";
import type { FeedEvent } from "./delivery-event-feed.js";
import { LiveDeliveryEvent, QueueDepth, TemplateStats } from "./live.type.js";

@Resolver()
export class LiveResolver {
  @Subscription(() => LiveDeliveryEvent, {
    description: "Delivery events of this app as they happen (about a second behind), optionally for one recipient or template. Over graphql-ws at /graphql.",
    // @Authorized guards each event's resolve; this refuses at subscribe time, so a caller without
    // the permission gets one refusal rather than a stream of them.
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      requirePermissions(await currentPrincipal(ctx), [Permission.HISTORY_READ], "deliveryEvents");
      const events = ctx.services.live.events({ appId: ctx.app.appId, externalId: args.externalId, templateKey: args.templateKey });
      return whileAuthorized(ctx, [Permission.HISTORY_READ], "deliveryEvents", events);
    },
  })
  @Authorized(Permission.HISTORY_READ)
  deliveryEvents(
    @Root() event: FeedEvent,
    @Arg("externalId", () => String, { nullable: true }) _externalId: string | null,
    @Arg("templateKey", () => String, { nullable: true }) _templateKey: string | null,
  ): LiveDeliveryEvent {
    return event as LiveDeliveryEvent;
  }

  @Query(() => [QueueDepth], { description: "Jobs per channel queue right now (all apps share the queues)." })
  @Authorized(Permission.HISTORY_READ)
  queueDepth(@Ctx() ctx: Context): Promise<QueueDepth[]> {
    return ctx.services.live.queueDepth();
  }

  @Query(() => TemplateStats, { description: "How a template's notifications ended up, optionally since a time." })
  @Authorized(Permission.HISTORY_READ)
  templateStats(@Arg("key") key: string, @Arg("since", () => Date, { nullable: true }) since: Date | null, @Ctx() ctx: Context): Promise<TemplateStats> {
    return ctx.services.live.templateStats(ctx.app.appId, key, since);
  }
}
