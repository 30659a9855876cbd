import { z } from "zod";
import { InputError } from "../errors.js";
import type { TemplateVariable, VariableType } from "./template-content.js";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const emailAddress = z.email();

const accepts: Record<VariableType, (value: unknown) => boolean> = {
  STRING: (v) => typeof v === "string",
  NUMBER: (v) => typeof v === "number" && Number.isFinite(v),
  BOOLEAN: (v) => typeof v === "boolean",
  // Kept as the ISO string: Liquid's date filter parses it, and a bare {{ d }} prints it as given.
  DATE: (v) => typeof v === "string" && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v)),
  // Only web links: a javascript: or data: URL in an href would defeat HTML escaping.
  URL: (v) => typeof v === "string" && URL.canParse(v) && ["http:", "https:"].includes(new URL(v).protocol),
  EMAIL: (v) => typeof v === "string" && emailAddress.safeParse(v).success,
};

const EXPECTED: Record<VariableType, string> = {
  STRING: "a string",
  NUMBER: "a number",
  BOOLEAN: "true or false",
  DATE: "an ISO 8601 date such as 2024-05-31 or 2024-05-31T09:00:00Z",
  URL: "an http(s) URL",
  EMAIL: "an email address",
};

/**
 * Checks the caller's data against the version's declared variables and returns the render
 * scope: exactly the declared variables, absent optional ones as null (so `{% if %}` works under
 * strictVariables). Every problem is reported at once, each naming its variable.
 */
export function templateScope(variables: TemplateVariable[], data: Record<string, unknown> | null | undefined, field: string): Record<string, unknown> {
  const given = data ?? {};
  const problems: string[] = [];
  const scope: Record<string, unknown> = {};
  for (const v of variables) {
    const value = Object.hasOwn(given, v.name) ? given[v.name] : undefined;
    if (value === undefined || value === null) {
      if (v.required) problems.push(`${v.name} is required (${v.type})`);
      scope[v.name] = null;
    } else if (!accepts[v.type](value)) {
      problems.push(`${v.name} must be ${EXPECTED[v.type]}, got ${describe(value)}`);
    } else {
      scope[v.name] = value;
    }
  }
  const declared = new Set(variables.map((v) => v.name));
  // An undeclared key is almost always a misspelt optional variable that would silently vanish.
  for (const name of Object.keys(given)) if (!declared.has(name)) problems.push(`${name} is not a variable of this template`);
  if (problems.length) throw new InputError("TEMPLATE_VARIABLES", `Template data is invalid: ${problems.join("; ")}`, field);
  return scope;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
