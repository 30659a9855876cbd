import { Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { listCost, PAGES, perItemCost } from "../graphql/cost.js";
import { DeadLetterFilter, ReplayDeadLettersInput } from "./dead-letter.input.js";
import { ReplayDeadLettersPayload } from "./dead-letter.type.js";
import { Notification } from "./notification.type.js";

/** App credentials only (no @RecipientAllowed): replaying is an operator's decision. */
@Resolver()
export class DeadLetterResolver {
  @Query(() => [Notification], { description: "Dead-lettered notifications (retries exhausted), newest first.", complexity: listCost(PAGES.deadLetters) })
  deadLetters(
    @Arg("filter", () => DeadLetterFilter, { nullable: true }) filter: DeadLetterFilter | undefined,
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Ctx() ctx: Context,
  ): Promise<Notification[]> {
    return ctx.services.deadLetters.list(ctx.app.appId, filter, first) as Promise<Notification[]>;
  }

  @Mutation(() => ReplayDeadLettersPayload, {
    description:
      "Moves dead letters (one by id, or those matching a filter) back to QUEUED with a new attempt budget; each gets a REPLAYED event. " +
      "NOT_FOUND for an unknown id; BAD_USER_INPUT (reason NOT_DEAD) for a notification that is not DEAD.",
    // One unit per dead letter it may move: one by id, else up to `limit` (default 1,000).
    complexity: perItemCost((args) => (args.input?.id ? 1 : (args.input?.limit ?? 1000)), 10_000),
  })
  replayDeadLetters(@Arg("input") input: ReplayDeadLettersInput, @Ctx() ctx: Context): Promise<ReplayDeadLettersPayload> {
    return ctx.services.deadLetters.replay(ctx.app.appId, input) as Promise<ReplayDeadLettersPayload>;
  }
}
