import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { AuditLogResolver } from "../audit/audit.resolver.js";
import { BulkSendResolver } from "../bulk/bulk-send.resolver.js";
import { TopicResolver } from "../topics/topic.resolver.js";
import { createPubSub } from "@graphql-yoga/subscription";
import { LiveResolver } from "../live/live.resolver.js";
import { ApiKeyResolver } from "../auth/api-key.resolver.js";
import { authChecker } from "../auth/permissions.js";
import { guardSubscriptions, principalGuard } from "../auth/principal-guard.js";
import { MemberResolver } from "../members/member.resolver.js";
import { RecipientTokenResolver } from "../auth/recipient-token.resolver.js";
import { DeviceResolver, RecipientDevicesResolver } from "../devices/device.resolver.js";
import { WebPushConfigResolver } from "../devices/webpush-config.resolver.js";
import { DeadLetterResolver } from "../notifications/dead-letter.resolver.js";
import { NotificationResolver } from "../notifications/notification.resolver.js";
import { ScheduleResolver } from "../notifications/schedule.resolver.js";
import { PreferenceResolver, RecipientPreferencesResolver } from "../preferences/preference.resolver.js";
import { RecipientResolver } from "../recipients/recipient.resolver.js";
import { RecurringScheduleResolver } from "../schedules/recurring.resolver.js";
import { TestSendResolver } from "../notifications/test-send.resolver.js";
import { malformedIdsNotFound } from "./id-args.js";
import { rejectUnstorableText } from "./text-input.js";
import { NotificationTemplateResolver, TemplateResolver, TemplateVersionResolver } from "../templates/template.resolver.js";

export const resolvers = [RecipientResolver, RecipientDevicesResolver, DeviceResolver, NotificationResolver, DeadLetterResolver, BulkSendResolver, TopicResolver, LiveResolver, WebPushConfigResolver, TemplateResolver, TemplateVersionResolver, NotificationTemplateResolver, PreferenceResolver, RecipientPreferencesResolver, ScheduleResolver, RecurringScheduleResolver, RecipientTokenResolver, AuditLogResolver, ApiKeyResolver, MemberResolver, TestSendResolver] as const;

/** type-graphql classes are the one source of the schema; schema.graphql is emitted from them. */
export async function createSchema(emitSchemaFile?: string): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    validate: { forbidUnknownValues: false },
    // Recipient tokens reach only operations marked @RecipientAllowed, and only their own data.
    // Then every argument is checked for what Postgres cannot store or look up.
    globalMiddlewares: [principalGuard, rejectUnstorableText, malformedIdsNotFound],
    // API keys by their scopes, console users by their role (auth/permissions.ts); every root
    // field carries @Authorized (authorization.test.ts).
    authChecker,
    authMode: "error",
    // type-graphql insists on a PubSub once any @Subscription exists; ours stream from
    // DeliveryEventFeed (subscribe functions), not from topics published in-process.
    pubSub: createPubSub(),
    emitSchemaFile: emitSchemaFile ? { path: emitSchemaFile, sortedSchema: true } : false,
  });
  return guardSubscriptions(schema);
}
