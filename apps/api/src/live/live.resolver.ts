import { Arg, Ctx, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../context.js";
import type { FeedEvent } from "./delivery-event-feed.js";
import { LiveDeliveryEvent, QueueDepth, TemplateStats } from "./live.type.js";

@Resolver()
export class LiveResolver {
  @Subscription(() => LiveDeliveryEvent, {
    description: "Delivery events of this app as they happen (about a second behind), optionally for one recipient or template. Over graphql-ws at /graphql.",
    subscribe: ({ args, context }) =>
      (context as Context).services.live.events({ appId: (context as Context).app.appId, externalId: args.externalId, templateKey: args.templateKey }),
  })
  deliveryEvents(
    @Root() event: FeedEvent,
    @Arg("externalId", () => String, { nullable: true }) _externalId: string | null,
    @Arg("templateKey", () => String, { nullable: true }) _templateKey: string | null,
  ): LiveDeliveryEvent {
    return event as LiveDeliveryEvent;
  }

  @Query(() => [QueueDepth], { description: "Jobs per channel queue right now (all apps share the queues)." })
  queueDepth(@Ctx() ctx: Context): Promise<QueueDepth[]> {
    return ctx.services.live.queueDepth();
  }

  @Query(() => TemplateStats, { description: "How a template's notifications ended up, optionally since a time." })
  templateStats(@Arg("key") key: string, @Arg("since", () => Date, { nullable: true }) since: Date | null, @Ctx() ctx: Context): Promise<TemplateStats> {
    return ctx.services.live.templateStats(ctx.app.appId, key, since);
  }
}
