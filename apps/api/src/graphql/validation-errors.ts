import type { GraphQLFormattedError } from "graphql";

interface ValidationError {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationError[];
}

/**
 * type-graphql reports class-validator failures as "Argument Validation Error" with the details
 * buried in extensions.validationErrors. Callers get what every other input error gives them: a
 * message that says what is wrong, `reason` and the `field` path (e.g. input.recipients).
 */
export function explainValidationError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const errors = formatted.extensions?.validationErrors as ValidationError[] | undefined;
  if (formatted.extensions?.code !== "BAD_USER_INPUT" || !errors?.length) return formatted;
  const problems = errors.flatMap((e) => flatten(e, []));
  if (!problems.length) return formatted;
  const { validationErrors: _, ...extensions } = formatted.extensions;
  return {
    ...formatted,
    message: problems.map((p) => `${p.field}: ${p.message}`).join("; "),
    extensions: { ...extensions, reason: "INVALID_ARGUMENT", field: problems[0]!.field },
  };
}

function flatten(error: ValidationError, path: string[]): { field: string; message: string }[] {
  const here = [...path, error.property];
  const own = Object.values(error.constraints ?? {}).map((message) => ({ field: here.join("."), message }));
  return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, here))];
}
