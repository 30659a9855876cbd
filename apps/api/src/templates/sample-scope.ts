import type { TemplateVariable, VariableType } from "./template-content.js";

const SAMPLES: Record<VariableType, unknown> = {
  STRING: "sample",
  NUMBER: 1,
  BOOLEAN: true,
  DATE: "2024-01-01T09:00:00Z",
  URL: "https://example.com/",
  EMAIL: "someone@example.com",
};

/**
 * A render scope with a plausible value for every declared variable, optional ones included (so
 * their `{% if %}` branches are tried too), for rendering a version before anyone sends it.
 */
export function sampleScope(variables: TemplateVariable[]): Record<string, unknown> {
  return Object.fromEntries(variables.map((v) => [v.name, SAMPLES[v.type]]));
}
