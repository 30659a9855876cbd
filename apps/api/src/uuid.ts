const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every id the API hands out is a UUID, and Postgres refuses anything else in a uuid column
 * (SQLSTATE 22P02, an internal error): ids from callers, tokens and webhooks are checked with
 * this before they reach a query.
 */
export const isUuid = (v: unknown): v is string => typeof v === "string" && UUID.test(v);
