import "server-only";
import type { TadaDocumentNode } from "gql.tada";
import { print } from "graphql";
import { ApiRequestError, ApiUnreachableError } from "./api-errors";
import { consoleEnv } from "./env";
import { consoleIdentity } from "./identity";
import { requireViewerApp } from "./viewer";

const TIMEOUT_MS = 5000;

export { ApiRequestError, ApiUnreachableError };

interface GraphQLBody<R> {
  data?: R | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * Calls the platform's GraphQL API as the signed-in user, in the app they selected: a
 * short-lived signed identity (X-Console-Identity), never an app secret. The API reads the
 * user's role itself and refuses what it does not allow. Server-side only. Throws
 * SignedOutError without a session, and on any GraphQL error, since every console query needs
 * all of its fields.
 */
export async function callApi<R, V extends Record<string, unknown>>(document: TadaDocumentNode<R, V>, variables: V): Promise<R> {
  const env = consoleEnv();
  const viewer = await requireViewerApp();
  const identity = await consoleIdentity(viewer.user.id, viewer.app.id);
  let res: Response;
  try {
    res = await fetch(`${env.apiUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-console-identity": identity },
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
