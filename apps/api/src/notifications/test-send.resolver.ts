import { GraphQLJSONObject } from "graphql-scalars";
import { Arg, Authorized, Ctx, Int, Mutation, Resolver } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { ForbiddenError } from "../errors.js";
import { SendNotificationPayload } from "./notification.type.js";
import type { ContentInput } from "./send.input.js";

/**
 * "Send a test to me" from the console's template editor. An editor may not send to recipients
 * (SEND), but may see a version, draft included, arrive in their own inbox (TEST_SEND): the
 * version is rendered as a preview and sent as inline content to the signed-in user's own email,
 * so the test does not count in the template's stats and cannot reach anyone else.
 */
@Resolver()
export class TestSendResolver {
  @Mutation(() => SendNotificationPayload, {
    description:
      "Emails a template version (default: the newest, usually the draft) rendered with `data` to the signed-in console user; console users only.",
  })
  @Authorized(Permission.TEST_SEND)
  async sendTestToMe(
    @Arg("key") key: string,
    @Arg("version", () => Int, { nullable: true }) version: number | undefined,
    @Arg("locale", () => String, { nullable: true }) locale: string | undefined,
    @Arg("data", () => GraphQLJSONObject, { nullable: true }) data: Record<string, unknown> | undefined,
    @Ctx() ctx: Context,
  ): Promise<SendNotificationPayload> {
    const { principal } = ctx;
    if (principal.kind !== "user") throw new ForbiddenError("sendTestToMe sends to the signed-in console user; an API key has no inbox of its own", "CONSOLE_USERS_ONLY");
    const { appId } = ctx.app;
    const preview = await ctx.services.templates.preview(appId, key, { version, channel: "EMAIL", locale, data });
    // The user's own recipient in this app, named so it cannot clash with the app's recipients' ids.
    const externalId = `console:${principal.email}`;
    await ctx.services.recipients.upsert(appId, { externalId, email: principal.email });
    const sent = await ctx.services.notifications.send(appId, { externalId, channels: ["EMAIL"], content: preview.content as ContentInput, urgent: true });
    await ctx.services.audit.recordFor(ctx, {
      action: "test_send",
      targetType: "template",
      targetId: key,
      summary: { version: preview.version, locale: preview.locale, to: principal.email },
    });
    return sent as SendNotificationPayload;
  }
}
