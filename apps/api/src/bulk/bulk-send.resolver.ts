import { Authorized, Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { SendBulkInput } from "./bulk-send.input.js";
import { BulkSendPayload } from "./bulk-send.type.js";

@Resolver()
export class BulkSendResolver {
  @Mutation(() => BulkSendPayload, {
    description: "One template or content to up to 10,000 recipients, each with its own data and idempotency key; per-recipient results.",
  })
  @Authorized(Permission.SEND)
  sendBulk(@Arg("input") input: SendBulkInput, @Ctx() ctx: Context): Promise<BulkSendPayload> {
    return ctx.services.bulk.send(ctx.app.appId, input);
  }
}
