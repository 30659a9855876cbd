import type { z } from "zod";
import { InputError } from "../errors.js";
import { assertVariablesDeclared, compileContent, type CompiledContent } from "./compile.js";
import { canonicalLocale } from "./locale.js";
import { templateContentSchema, templateVariablesSchema, type TemplateContent, type TemplateVariable } from "./template-content.js";

/**
 * Parts are the separately parsed sources: locales × channels × fields (push data keys are one
 * part each). Each part is parsed at save time and whenever a process first renders the version,
 * so their number and size are capped as well as their render cost.
 */
export const MAX_PARTS = 300;
export const MAX_SOURCE_CHARS = 2_000_000;

export interface TemplateDefinition {
  content: TemplateContent;
  variables: TemplateVariable[];
  compiled: CompiledContent;
}

/**
 * Validates a version before it is stored: the shape, canonical locale keys, content for the
 * default locale, Liquid syntax, and that every variable used is declared.
 */
export function parseDefinition(content: unknown, variables: unknown, defaultLocale: string): TemplateDefinition {
  const parsedVariables = check(templateVariablesSchema, variables, "variables");
  const parsedContent = check(templateContentSchema, content, "content");

  const canonical: TemplateContent = {};
  for (const [locale, channels] of Object.entries(parsedContent)) {
    const key = canonicalLocale(locale, `content.${locale}`);
    if (canonical[key]) throw new InputError("DUPLICATE_LOCALE", `content has locale ${key} twice`, `content.${locale}`);
    canonical[key] = channels;
  }
  if (!canonical[defaultLocale])
    throw new InputError("TEMPLATE_DEFAULT_LOCALE_MISSING", `content must include the default locale ${defaultLocale}`, "content");

  assertSize(canonical);
  const compiled = compileContent(canonical);
  assertVariablesDeclared(compiled, parsedVariables);
  return { content: canonical, variables: parsedVariables, compiled };
}

/** How many parts a version has, and their source characters in all. */
export function sourceSize(content: TemplateContent): { parts: number; chars: number } {
  let parts = 0;
  let chars = 0;
  const count = (value: unknown) => {
    if (typeof value === "string") {
      parts++;
      chars += value.length;
    } else if (value && typeof value === "object") Object.values(value).forEach(count);
  };
  Object.values(content).forEach(count);
  return { parts, chars };
}

function assertSize(content: TemplateContent): void {
  const { parts, chars } = sourceSize(content);
  if (parts > MAX_PARTS)
    throw new InputError("TEMPLATE_TOO_LARGE", `A template has at most ${MAX_PARTS} parts (locales × channels × fields); this one has ${parts}`, "content");
  if (chars > MAX_SOURCE_CHARS)
    throw new InputError("TEMPLATE_TOO_LARGE", `A template's sources are at most ${MAX_SOURCE_CHARS} characters in all; these are ${chars}`, "content");
}

function check<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const path = (i: (typeof issues)[number]) => [field, ...i.path.map(String)].join(".");
  throw new InputError("INVALID_TEMPLATE", issues.map((i) => `${path(i)}: ${i.message}`).join("; "), path(issues[0]!));
}
