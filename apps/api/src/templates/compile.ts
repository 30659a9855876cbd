import type { Channel } from "@notify/db";
import type { Liquid, Template } from "liquidjs";
import { InputError } from "../errors.js";
import { htmlLiquid, textLiquid } from "./liquid.js";
import type { LocaleContent, TemplateContent, TemplateVariable } from "./template-content.js";

/** One parsed source string, with the engine that parsed it (escaping is decided at parse time). */
export interface CompiledPart {
  engine: Liquid;
  templates: Template[];
}

/** Keyed like the source: "subject", "html", "text", "title", "body", "url", "data.<key>". */
export type CompiledChannel = Record<string, CompiledPart>;
export type CompiledContent = Record<string, Partial<Record<Channel, CompiledChannel>>>;

export function compileContent(content: TemplateContent): CompiledContent {
  const out: CompiledContent = {};
  for (const [locale, channels] of Object.entries(content)) {
    out[locale] = {};
    for (const [channel, fields] of Object.entries(channels) as [Channel, LocaleContent[Channel]][]) {
      if (!fields) continue;
      const compiled: CompiledChannel = {};
      for (const [name, value] of Object.entries(fields)) {
        if (name === "data" && value && typeof value === "object") {
          for (const [key, src] of Object.entries(value as Record<string, string>))
            compiled[`data.${key}`] = parse(textLiquid, src, `content.${locale}.${channel}.data.${key}`);
        } else if (typeof value === "string") {
          const engine = channel === "EMAIL" && name === "html" ? htmlLiquid : textLiquid;
          compiled[name] = parse(engine, value, `content.${locale}.${channel}.${name}`);
        }
      }
      out[locale][channel] = compiled;
    }
  }
  return out;
}

function parse(engine: Liquid, source: string, field: string): CompiledPart {
  try {
    return { engine, templates: engine.parse(source) };
  } catch (err) {
    throw new InputError("TEMPLATE_SYNTAX", `${field}: ${(err as Error).message}`, field);
  }
}

/**
 * Every variable a template reads must be declared, so strictVariables can never fail on a
 * variable the caller had no way to know about. Loop variables and assigns are local and
 * excluded by Liquid's analysis.
 */
export function assertVariablesDeclared(compiled: CompiledContent, variables: TemplateVariable[]): void {
  const declared = new Set(variables.map((v) => v.name));
  const undeclared = new Map<string, string[]>();
  for (const [locale, channels] of Object.entries(compiled))
    for (const [channel, parts] of Object.entries(channels))
      for (const [name, part] of Object.entries(parts!))
        for (const variable of part.engine.globalVariablesSync(part.templates))
          if (!declared.has(variable)) undeclared.set(variable, [...(undeclared.get(variable) ?? []), `${locale}.${channel}.${name}`]);
  if (undeclared.size)
    throw new InputError(
      "TEMPLATE_UNDECLARED_VARIABLE",
      `Undeclared variables: ${[...undeclared].map(([v, where]) => `${v} (in ${where.join(", ")})`).join("; ")}`,
      "variables",
    );
}
