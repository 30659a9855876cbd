import { Authorized, Arg, Ctx, Field, Int, Mutation, ObjectType, Resolver } from "type-graphql";
import { Permission } from "./permissions.js";
import type { Context } from "../context.js";
import { ForbiddenError } from "../errors.js";
import { RECIPIENT_TOKEN_MAX_TTL_SECONDS } from "./recipient-token.js";

@ObjectType({ description: "A bearer token a client app uses to act as one recipient." })
export class RecipientToken {
  @Field({ description: "Send as `Authorization: Bearer <token>`." })
  token!: string;

  @Field()
  expiresAt!: Date;
}

@Resolver()
export class RecipientTokenResolver {
  @Mutation(() => RecipientToken, {
    description:
      "A short-lived token for a client app (which must not hold the appSecret): it may send and schedule to this recipient, read its notifications and manage its devices and preferences, nothing else.",
  })
  @Authorized(Permission.SEND, Permission.SCHEDULE, Permission.RECIPIENTS_WRITE)
  issueRecipientToken(
    @Arg("externalId") externalId: string,
    @Arg("ttlSeconds", () => Int, { defaultValue: 900, description: `At most ${RECIPIENT_TOKEN_MAX_TTL_SECONDS}.` }) ttlSeconds: number,
    @Ctx() ctx: Context,
  ): Promise<RecipientToken> {
    // The token names the key that issued it, so revoking the key revokes its tokens.
    if (ctx.principal.kind !== "app") throw new ForbiddenError("Recipient tokens are issued with an API key (a backend's), not by a console user", "API_KEYS_ONLY");
    return ctx.services.recipientTokens.issue({ appId: ctx.app.appId, apiKeyId: ctx.principal.apiKeyId }, externalId, ttlSeconds);
  }
}
