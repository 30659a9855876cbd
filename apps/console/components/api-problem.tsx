import { ApiRequestError, ApiUnreachableError } from "../lib/api";
import { ConsoleConfigError } from "../lib/env";

/** The failures a page can explain; anything else is a bug and goes to Next's error handling. */
export function isExplainable(err: unknown): err is ApiUnreachableError | ApiRequestError | ConsoleConfigError {
  return err instanceof ApiUnreachableError || err instanceof ApiRequestError || err instanceof ConsoleConfigError;
}

export function ApiProblem({ error }: { error: ApiUnreachableError | ApiRequestError | ConsoleConfigError }) {
  const title =
    error instanceof ConsoleConfigError ? "The console is not configured" : error instanceof ApiUnreachableError ? "The API is unreachable" : "The API refused the request";
  return (
    <section className="card error" data-testid="api-problem">
      <h2>{title}</h2>
      <p>
        {error.message}
        {error instanceof ApiRequestError && error.code && (
          <>
            {" "}
            <code>({error.code})</code>
          </>
        )}
      </p>
    </section>
  );
}
