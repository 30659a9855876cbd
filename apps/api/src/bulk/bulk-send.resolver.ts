import { Authorized, Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { perItemCost } from "../graphql/cost.js";
import { SendBulkInput } from "./bulk-send.input.js";
import { BulkSendPayload } from "./bulk-send.type.js";

@Resolver()
export class BulkSendResolver {
  @Mutation(() => BulkSendPayload, {
    description: "One template or content to up to 10,000 recipients, each with its own data and idempotency key; per-recipient results.",
    // One unit per recipient (more than 10,000 is refused by validation, with its own message).
    complexity: perItemCost((args) => args.input?.recipients?.length ?? 1, 10_000),
  })
  @Authorized(Permission.SEND)
  sendBulk(@Arg("input") input: SendBulkInput, @Ctx() ctx: Context): Promise<BulkSendPayload> {
    return ctx.services.bulk.send(ctx.app.appId, input);
  }
}
