import { Authorized, Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { listCost, PAGES, perItemCost } from "../graphql/cost.js";
import { DeadLetterFilter, ReplayDeadLettersInput } from "./dead-letter.input.js";
import { ReplayDeadLettersPayload } from "./dead-letter.type.js";
import { Notification } from "./notification.type.js";

/** App credentials only (no @RecipientAllowed): replaying is an operator's decision. */
@Resolver()
export class DeadLetterResolver {
  @Query(() => [Notification], { description: "Dead-lettered notifications (retries exhausted), newest first.", complexity: listCost(PAGES.deadLetters) })
  @Authorized(Permission.HISTORY_READ)
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
  @Authorized(Permission.DEAD_LETTERS_REPLAY)
  async replayDeadLetters(@Arg("input") input: ReplayDeadLettersInput, @Ctx() ctx: Context): Promise<ReplayDeadLettersPayload> {
    const result = await ctx.services.deadLetters.replay(ctx.app.appId, input);
    await ctx.services.audit.recordFor(ctx, {
      action: "dead_letter.replay",
      targetType: input.id != null ? "notification" : "dead_letters",
      targetId: input.id ?? undefined,
      summary: { ...(input.filter ? { filter: { ...input.filter } } : {}), limit: input.limit ?? null, after: { replayed: result.replayed, remaining: result.remaining } },
    });
    return result as ReplayDeadLettersPayload;
  }
}
