import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { Extensions, type MiddlewareFn } from "type-graphql";
import type { Context } from "../context.js";
import { ForbiddenError } from "../errors.js";
import { isUuid } from "../uuid.js";

/**
 * Where a recipient-allowed operation names whose data it touches: the path of an argument
 * holding an externalId, a notification id or a recurring schedule id (e.g. "input.externalId").
 * `sends`: the path of the send request the operation delivers ({ channels, content, template }):
 * tokens may send only client-sendable templates, and each send is counted against the token's
 * and the recipient's limits. `recurs`: the path of a recurring schedule's { cron, timezone },
 * whose interval has a floor for tokens (its request, under `sends`, is checked but not counted).
 */
export type RecipientScope = ({ externalId: string } | { notificationId: string } | { scheduleId: string }) & { sends?: string; recurs?: string };

const EXTENSION = "recipientScope";
const VISIBLE = "recipientVisible";

/**
 * Opens a query or mutation to recipient tokens, limited to the token's own recipient. Every
 * other operation is app-only by default, so a resolver added without thinking about client
 * tokens is closed to them rather than open.
 */
export function RecipientAllowed(scope: RecipientScope): MethodDecorator {
  return Extensions({ [EXTENSION]: scope }) as MethodDecorator;
}

/**
 * Marks an object type a recipient token may read: one that holds only what was sent to its
 * recipient and that recipient's own settings. Any other type (templates and their versions,
 * the app's categories, live events) is FORBIDDEN to a token wherever it is nested, so a new
 * field that leads from a visible type to something else is closed to tokens by default.
 */
export function RecipientVisible(): ClassDecorator {
  return Extensions({ [VISIBLE]: true }) as ClassDecorator;
}

/**
 * Global middleware, so it runs once per resolved field (each alias too): app and user
 * principals pass; recipient principals reach only root fields marked @RecipientAllowed, for
 * their own recipient, and only fields of @RecipientVisible types that lead to such types.
 */
export const principalGuard: MiddlewareFn<Context> = async ({ context, info, args }, next) => {
  const principal = context.principal;
  if (principal.kind !== "recipient") return next();
  const { schema, parentType } = info;
  const returned = getNamedType(info.returnType);
  const hiddenType = (type: GraphQLObjectType) => !type.extensions?.[VISIBLE];
  if (isObjectType(returned) && hiddenType(returned))
    throw new ForbiddenError(`${parentType.name}.${info.fieldName} returns ${returned.name}, which a recipient token cannot read`);
  const roots: (GraphQLObjectType | null | undefined)[] = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  if (!roots.includes(parentType)) {
    if (hiddenType(parentType)) throw new ForbiddenError(`${parentType.name} is not readable with a recipient token`);
    return next();
  }

  const scope = parentType.getFields()[info.fieldName]?.extensions?.[EXTENSION] as RecipientScope | undefined;
  if (!scope) throw new ForbiddenError(`${info.fieldName} needs the app's credentials; a recipient token cannot call it`);
  const own = principal.recipientExternalId;
  const { appId } = context.app;
  const notYours = () => new ForbiddenError(`A recipient token for ${JSON.stringify(own)} can only reach that recipient's data`);

  if ("externalId" in scope) {
    if (valueAt(args, scope.externalId) !== own) throw notYours();
  } else if ("notificationId" in scope) {
    const id = valueAt(args, scope.notificationId);
    const n = isUuid(id)
      ? await context.db.notification.findFirst({ where: { id, appId }, select: { recipient: { select: { externalId: true } } } })
      : null;
    if (n?.recipient.externalId !== own) throw notYours();
  } else {
    const id = valueAt(args, scope.scheduleId);
    const s = isUuid(id)
      ? await context.db.recurringSchedule.findFirst({ where: { id, appId }, select: { recipient: { select: { externalId: true } } } })
      : null;
    if (s?.recipient.externalId !== own) throw notYours();
  }

  const policy = context.services.recipientTokenPolicy;
  if (scope.recurs) policy.assertRecurringInterval(valueAt(args, scope.recurs) as never, scope.recurs);
  if (scope.sends) {
    const cost = await policy.admitSend(appId, valueAt(args, scope.sends) as never, scope.sends);
    // A send is counted last, so a refused one does not use up the budget. A schedule is not
    // counted here: its interval floor and the per-recipient cap (RecurringService) bound it.
    if (!scope.recurs) await policy.consume(appId, own, principal.tokenId ?? "untracked", cost);
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
