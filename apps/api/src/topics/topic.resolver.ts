import { Authorized, Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { perItemCost } from "../graphql/cost.js";

const perExternalId = perItemCost((args) => args.externalIds?.length ?? 1, 10_000);
import { SendBroadcastInput } from "./broadcast.input.js";
import { Broadcast, Topic, TopicSubscriptionChange } from "./topic.type.js";

@Resolver(() => Topic)
export class TopicResolver {
  @Mutation(() => Topic)
  @Authorized(Permission.RECIPIENTS_WRITE)
  upsertTopic(@Arg("key") key: string, @Arg("name", () => String, { nullable: true }) name: string | null | undefined, @Ctx() ctx: Context): Promise<Topic> {
    return ctx.services.topics.upsert(ctx.app.appId, key, name);
  }

  @Mutation(() => TopicSubscriptionChange, { description: "Subscribes up to 10,000 recipients (creating the topic if needed); all must exist.", complexity: perExternalId })
  @Authorized(Permission.RECIPIENTS_WRITE)
  subscribeToTopic(@Arg("topicKey") topicKey: string, @Arg("externalIds", () => [String]) externalIds: string[], @Ctx() ctx: Context) {
    return ctx.services.topics.subscribe(ctx.app.appId, topicKey, externalIds);
  }

  @Mutation(() => TopicSubscriptionChange, { complexity: perExternalId })
  @Authorized(Permission.RECIPIENTS_WRITE)
  unsubscribeFromTopic(@Arg("topicKey") topicKey: string, @Arg("externalIds", () => [String]) externalIds: string[], @Ctx() ctx: Context) {
    return ctx.services.topics.unsubscribe(ctx.app.appId, topicKey, externalIds);
  }

  @Query(() => Topic)
  @Authorized(Permission.RECIPIENTS_READ)
  topic(@Arg("key") key: string, @Ctx() ctx: Context): Promise<Topic> {
    return ctx.services.topics.get(ctx.app.appId, key);
  }

  @FieldResolver(() => Int)
  subscriberCount(@Root() topic: Topic & { appId: string }, @Ctx() ctx: Context): Promise<number> {
    return ctx.services.topics.subscriberCount(topic.appId, topic.key);
  }

  @Mutation(() => Broadcast, { description: "Sends to every subscriber of a topic; returns at once, the workers fan out in pages." })
  @Authorized(Permission.SEND)
  sendBroadcast(@Arg("input") input: SendBroadcastInput, @Ctx() ctx: Context): Promise<Broadcast> {
    return ctx.services.topics.broadcast(ctx.app.appId, input);
  }

  @Query(() => Broadcast)
  @Authorized(Permission.HISTORY_READ)
  broadcast(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Broadcast> {
    return ctx.services.topics.getBroadcast(ctx.app.appId, id);
  }
}
