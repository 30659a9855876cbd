import { GraphQLError, NoSchemaIntrospectionCustomRule, validate, type DocumentNode, type GraphQLSchema } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import type { CostRateLimiter } from "../auth/rate-limit.js";
import type { Context } from "../context.js";
import { operationCost } from "./cost.js";

export interface OperationGuardOptions {
  schema: GraphQLSchema;
  maxCost: number;
  /** App callers may introspect (sandbox mode, or API_INTROSPECTION=true); recipient tokens never. */
  appIntrospection: boolean;
  appBudget?: CostRateLimiter;
  recipientBudget?: CostRateLimiter;
}

/**
 * What every parsed and validated operation passes before it runs, over HTTP (the Apollo
 * plugin below) and over graphql-ws alike: introspection where this caller may not, its cost
 * against the operation limit, then that cost spent from the caller's rate budget.
 */
export class OperationGuard {
  constructor(private readonly options: OperationGuardOptions) {}

  /** Whether this caller may see the schema: introspection and "Did you mean" suggestions. */
  maySeeSchema(ctx: Context): boolean {
    return ctx.principal.kind !== "recipient" && this.options.appIntrospection;
  }

  async check(ctx: Context, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string | null): Promise<void> {
    const { schema, maxCost } = this.options;
    if (!this.maySeeSchema(ctx)) {
      const [refused] = validate(schema, document, [NoSchemaIntrospectionCustomRule]);
      if (refused)
        throw new GraphQLError("Introspection is not available to this caller", { extensions: { code: "GRAPHQL_VALIDATION_FAILED", reason: "INTROSPECTION_DISABLED", http: { status: 400 } } });
    }
    const cost = operationCost(schema, document, variables, operationName ?? undefined);
    const budget = ctx.principal.kind === "recipient" ? this.options.recipientBudget : this.options.appBudget;
    // An operation larger than the whole budget could never run: refuse it as too costly.
    const limit = Math.min(maxCost, budget?.budget ?? maxCost);
    if (cost > limit)
      throw new GraphQLError(`Operation cost ${cost} exceeds the limit of ${limit}; ask for smaller pages (first) or split the work`, {
        extensions: { code: "GRAPHQL_VALIDATION_FAILED", reason: "COST_LIMIT", cost, limit, http: { status: 400 } },
      });
    if (budget) await budget.spend(budgetKey(ctx), cost);
  }

  /** The Apollo plugin: runs after parsing and validation, before execution. */
  plugin(): ApolloServerPlugin<Context> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ contextValue, document, request, operationName }) => {
          await this.check(contextValue, document, request.variables, operationName);
        },
      }),
    };
  }
}

/**
 * Per API key; per recipient for tokens, so minting more tokens buys no more budget; per
 * console user across the apps they act in.
 */
function budgetKey({ principal: p, app }: Context): string {
  switch (p.kind) {
    case "recipient":
      return `recipient:${app.appId}:${p.recipientExternalId}`;
    case "user":
      return `user:${p.userId}`;
    case "app":
      return `key:${p.apiKeyId}`;
  }
}
