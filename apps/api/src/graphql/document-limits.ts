import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { ApolloServerPlugin } from "@apollo/server";
import type { ValidationRule } from "graphql";

export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
}

/**
 * Depth, alias and directive limits from GraphQL Armor, as validation rules
 * (GRAPHQL_VALIDATION_FAILED, HTTP 400), and the token limit as graphql-js's own parse option
 * (`parseOptions`: GRAPHQL_PARSE_FAILED, HTTP 400), so a 200,000-alias document stops being read
 * at the limit and is parsed once. (Armor's token plugin lexes the document a second time and its
 * refusal comes out as HTTP 500.) Armor's own cost limit is off: cost is
 * graphql/cost.ts, the one function the rate limit spends too. Its field-suggestion masking is
 * applied per caller by graphql/schema-visibility.ts.
 */
export function documentLimits(limits: DocumentLimits): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[]; parseOptions: { maxTokens: number } } {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    // Armor lets __typename aliases through by default; 200,000 of them stalled the event loop.
    maxAliases: { n: limits.maxAliases, allowList: [] },
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return { plugins: plugins as ApolloServerPlugin[], validationRules: validationRules as ValidationRule[], parseOptions: { maxTokens: limits.maxTokens } };
}
