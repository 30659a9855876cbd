import "server-only";
import type { TadaDocumentNode } from "gql.tada";
import { print } from "graphql";
import { ConsoleConfigError, consoleEnv } from "./env";

const TIMEOUT_MS = 5000;

/** The API did not answer (down, wrong API_URL, timeout). */
export class ApiUnreachableError extends Error {
  override name = "ApiUnreachableError";
}

/** The API answered with a GraphQL error; `code` is its extensions.code (NOT_FOUND, BAD_USER_INPUT, …). */
export class ApiRequestError extends Error {
  override name = "ApiRequestError";
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface GraphQLBody<R> {
  data?: R | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * Calls the platform's GraphQL API with the console's key pair. Server-side only: the secret
 * never reaches a browser. Throws on any GraphQL error, since every console query needs all of
 * its fields.
 */
export async function callApi<R, V extends Record<string, unknown>>(document: TadaDocumentNode<R, V>, variables: V): Promise<R> {
  const env = consoleEnv();
  if (!env.appKey || !env.appSecret) {
    throw new ConsoleConfigError("CONSOLE_APP_KEY and CONSOLE_APP_SECRET are not set: the console has no key pair to call the API with");
  }
  let res: Response;
  try {
    res = await fetch(`${env.apiUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-app-key": env.appKey, "x-app-secret": env.appSecret },
      body: JSON.stringify({ query: print(document), variables }),
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new ApiUnreachableError(`The API at ${env.apiUrl} did not answer: ${(err as Error).message}`);
  }
  let body: GraphQLBody<R>;
  try {
    body = (await res.json()) as GraphQLBody<R>;
  } catch {
    throw new ApiUnreachableError(`The API at ${env.apiUrl} answered ${res.status} without a GraphQL body`);
  }
  const [first] = body.errors ?? [];
  if (first) throw new ApiRequestError(first.message, first.extensions?.code as string | undefined, first.extensions);
  if (!body.data) throw new ApiRequestError(`The API answered ${res.status} without data`, undefined);
  return body.data;
}
