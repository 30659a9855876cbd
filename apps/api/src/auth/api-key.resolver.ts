import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { InputError } from "../errors.js";
import { ApiKey, CreateApiKeyInput, CreatedApiKey, RotatedApiKey } from "./api-key.type.js";
import { Permission } from "./permissions.js";

const LABEL_MAX = 100;

/** Key lifecycle for admins (an ADMIN user, or a key with the ADMIN scope). */
@Resolver()
export class ApiKeyResolver {
  @Query(() => [ApiKey], { description: "This app's API keys, newest first, revoked and expired ones included." })
  @Authorized(Permission.ADMIN)
  apiKeys(@Ctx() ctx: Context): Promise<ApiKey[]> {
    return ctx.services.apiKeys.list(ctx.app.appId);
  }

  @Mutation(() => CreatedApiKey, { description: "A new key with these scopes; the secret is in this answer only." })
  @Authorized(Permission.ADMIN)
  async createApiKey(@Arg("input") input: CreateApiKeyInput, @Ctx() ctx: Context): Promise<CreatedApiKey> {
    const label = input.label?.trim() || null;
    if (label && label.length > LABEL_MAX) throw new InputError("LABEL_TOO_LONG", `label is at most ${LABEL_MAX} characters`, "input.label");
    const created = await ctx.services.apiKeys.create({ appId: ctx.app.appId, label, scopes: input.scopes, createdBy: creator(ctx) });
    await ctx.services.audit.recordFor(ctx, {
      action: "api_key.create",
      targetType: "api_key",
      targetId: created.key.id,
      summary: { after: { appKey: created.key.appKey, label, scopes: created.key.scopes } },
    });
    return { key: created.key, appSecret: created.appSecret };
  }

  @Mutation(() => ApiKey, { description: "Revokes a key: every API process refuses it within a second. Idempotent." })
  @Authorized(Permission.ADMIN)
  async revokeApiKey(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<ApiKey> {
    const key = await ctx.services.apiKeys.revoke(ctx.app.appId, id);
    await ctx.services.audit.recordFor(ctx, { action: "api_key.revoke", targetType: "api_key", targetId: key.id, summary: { appKey: key.appKey, after: { revokedAt: key.revokedAt } } });
    return key;
  }

  @Mutation(() => RotatedApiKey, { description: "A successor with the same label and scopes; the old key keeps working for overlapSeconds." })
  @Authorized(Permission.ADMIN)
  async rotateApiKey(
    @Arg("id", () => ID) id: string,
    @Arg("overlapSeconds", () => Int, { defaultValue: 3600, description: "0 stops the old key at once; at most 30 days." }) overlapSeconds: number,
    @Ctx() ctx: Context,
  ): Promise<RotatedApiKey> {
    const { created, previous } = await ctx.services.apiKeys.rotate(ctx.app.appId, id, overlapSeconds, creator(ctx));
    await ctx.services.audit.recordFor(ctx, {
      action: "api_key.rotate",
      targetType: "api_key",
      targetId: previous.id,
      summary: { overlapSeconds, before: { appKey: previous.appKey }, after: { successorId: created.key.id, appKey: created.key.appKey, oldKeyExpiresAt: previous.expiresAt } },
    });
    return { created: { key: created.key, appSecret: created.appSecret }, previous };
  }
}

function creator(ctx: Context): string | undefined {
  return ctx.principal.kind === "user" ? ctx.principal.userId : undefined;
}
