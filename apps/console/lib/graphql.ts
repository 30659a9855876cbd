import { initGraphQLTada } from "gql.tada";
import type { introspection } from "./graphql-env";

/**
 * Documents typed from apps/api/schema.graphql (the schema the API emits from its type-graphql
 * classes): `gql.tada generate output` turns it into graphql-env.d.ts at build time, so result
 * and variable types are never written by hand here. Scalars arrive as JSON.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTimeISO: string; JSONObject: Record<string, unknown>; ID: string };
}>();

export type { ResultOf, VariablesOf } from "gql.tada";
