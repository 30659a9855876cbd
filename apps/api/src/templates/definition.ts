import type { z } from "zod";
import { InputError } from "../errors.js";
import { assertVariablesDeclared, compileContent, type CompiledContent } from "./compile.js";
import { canonicalLocale } from "./locale.js";
import { templateContentSchema, templateVariablesSchema, type TemplateContent, type TemplateVariable } from "./template-content.js";

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

  const compiled = compileContent(canonical);
  assertVariablesDeclared(compiled, parsedVariables);
  return { content: canonical, variables: parsedVariables, compiled };
}

function check<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const path = (i: (typeof issues)[number]) => [field, ...i.path.map(String)].join(".");
  throw new InputError("INVALID_TEMPLATE", issues.map((i) => `${path(i)}: ${i.message}`).join("; "), path(issues[0]!));
}
