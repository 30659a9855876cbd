/** How calls to the API fail (shared by the user's calls and the console's mail calls). */

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
