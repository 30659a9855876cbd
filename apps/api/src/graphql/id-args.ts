import { getNamedType, GraphQLID, isInputObjectType, isListType, isNonNullType, type GraphQLInputType } from "graphql";
import type { MiddlewareFn } from "type-graphql";
import { NotFoundError } from "../errors.js";
import { isUuid } from "../uuid.js";


/**
 * Global middleware: every `ID` the API hands out is a UUID, and Postgres refuses anything else
 * in a uuid column (SQLSTATE 22P02), which reached callers as an internal error. An `ID`
 * argument (or input field) that is not one names nothing that exists: NOT_FOUND, before any
 * query.
 */
export const malformedIdsNotFound: MiddlewareFn = ({ args, info }, next) => {
  const field = info.parentType.getFields()[info.fieldName];
  for (const arg of field?.args ?? []) {
    const bad = malformedId(args[arg.name], arg.type);
    if (bad !== undefined) throw new NotFoundError(getNamedType(info.returnType).name, bad);
  }
  return next();
};

/** The first ID-typed value in `value` that is not a UUID. */
function malformedId(value: unknown, type: GraphQLInputType): string | undefined {
  if (value == null) return undefined;
  if (isNonNullType(type)) return malformedId(value, type.ofType);
  if (isListType(type)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const bad = malformedId(item, type.ofType);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  if (isInputObjectType(type)) {
    for (const f of Object.values(type.getFields())) {
      const bad = malformedId((value as Record<string, unknown>)[f.name], f.type);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  if (type === GraphQLID && !isUuid(value)) return String(value);
  return undefined;
}
