import type { GraphQLObjectType, GraphQLSchema } from "graphql";
import { Extensions, type MiddlewareFn } from "type-graphql";
import type { Context } from "../context.js";
import { ForbiddenError } from "../errors.js";

/**
 * Where a recipient-allowed operation names whose data it touches: the path of an argument
 * holding an externalId, a notification id or a recurring schedule id (e.g. "input.externalId").
 */
export type RecipientScope = { externalId: string } | { notificationId: string } | { scheduleId: string };

const EXTENSION = "recipientScope";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Opens a query or mutation to recipient tokens, limited to the token's own recipient. Every
 * other operation is app-only by default, so a resolver added without thinking about client
 * tokens is closed to them rather than open.
 */
export function RecipientAllowed(scope: RecipientScope): MethodDecorator {
  return Extensions({ [EXTENSION]: scope }) as MethodDecorator;
}

/** Global middleware: app principals pass; recipient principals only reach their own data. */
export const principalGuard: MiddlewareFn<Context> = async ({ context, info, args }, next) => {
  const principal = context.principal;
  if (principal.kind === "app") return next();
  const { schema, parentType } = info;
  // Nested fields are reachable only through a root field this guard already let through.
  const roots: (GraphQLObjectType | null | undefined)[] = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  if (!roots.includes(parentType)) return next();

  const scope = parentType.getFields()[info.fieldName]?.extensions?.[EXTENSION] as RecipientScope | undefined;
  if (!scope) throw new ForbiddenError(`${info.fieldName} needs the app's credentials; a recipient token cannot call it`);
  const own = principal.recipientExternalId;
  const { appId } = context.app;
  const notYours = () => new ForbiddenError(`A recipient token for ${JSON.stringify(own)} can only reach that recipient's data`);

  if ("externalId" in scope) {
    if (valueAt(args, scope.externalId) !== own) throw notYours();
  } else if ("notificationId" in scope) {
    const id = valueAt(args, scope.notificationId);
    const n = typeof id === "string" && UUID.test(id)
      ? await context.db.notification.findFirst({ where: { id, appId }, select: { recipient: { select: { externalId: true } } } })
      : null;
    if (n?.recipient.externalId !== own) throw notYours();
  } else {
    const id = valueAt(args, scope.scheduleId);
    const s = typeof id === "string" && UUID.test(id)
      ? await context.db.recurringSchedule.findFirst({ where: { id, appId }, select: { recipient: { select: { externalId: true } } } })
      : null;
    if (s?.recipient.externalId !== own) throw notYours();
  }
  return next();
};

function valueAt(args: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), args);
}

/**
 * type-graphql middlewares wrap a subscription's per-event resolver, not its subscribe
 * function: a recipient token's subscription to app-wide events was accepted and then answered
 * FORBIDDEN once per event (an activity side channel). This runs the same guard when the
 * subscription starts, so it is refused once and the stream ends.
 */
export function guardSubscriptions(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const subscribe = field.subscribe;
    if (!subscribe) continue;
    field.subscribe = (root, args, context, info) => principalGuard({ root, args, context, info }, async () => subscribe(root, args, context, info));
  }
  return schema;
}
