import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context.js";

/**
 * graphql-js answers a mistyped field with 'Did you mean "…"?', which lists the schema to a
 * caller that may not introspect it. Those callers get the message without the suggestion
 * (what GraphQL Armor's block-field-suggestions does, applied per caller here).
 */
export function hideSuggestionsPlugin(maySeeSchema: (ctx: Context) => boolean): ApolloServerPlugin<Context> {
  return {
    requestDidStart: async ({ contextValue }) => {
      if (maySeeSchema(contextValue)) return;
      return {
        didEncounterErrors: async ({ errors }) => {
          for (const error of errors) (error as { message: string }).message = error.message.replace(/ ?Did you mean .+\?/g, "").trim();
        },
      };
    },
  };
}
