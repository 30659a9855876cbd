import type { Channel } from "@notify/db";
import { Context, toValue, toValueSync, type Liquid, type Template } from "liquidjs";
import { ApiError, InputError } from "../errors.js";
import { contentForChannel, type ChannelContent } from "../notifications/channel-content.js";
import type { CompiledChannel, CompiledContent } from "./compile.js";
import { localeChain, pickLocale } from "./locale.js";
import { RenderBudget, RENDER_LIMITS } from "./render-budget.js";

export interface RenderedChannel {
  channel: Channel;
  /** The locale of the content that was used, after fallback. */
  locale: string;
  /** Exactly what inline content for this channel would have stored. */
  content: ChannelContent;
  /** Rendered push data (iOS/Android), merged over the caller's data by the sender. */
  data?: Record<string, string>;
}

export interface RenderRequest {
  compiled: CompiledContent;
  defaultLocale: string;
  /** The recipient's locale, e.g. "pt-BR"; null falls back to the default. */
  locale: string | null | undefined;
  /** From templateScope: the declared variables, already type-checked. */
  scope: Record<string, unknown>;
  /** The caller's own push data, counted in the push payload size check. */
  pushData?: Record<string, unknown>;
  /** Where render problems are reported, e.g. "template.data". */
  field: string;
  /** Where a channel the template lacks is reported; default "channels". */
  channelField?: string;
}

/**
 * Renders one channel with locale fallback, and applies the same checks as inline content. Every
 * part draws from `budget`; give the channels of one send the same budget.
 */
export function renderChannel(channel: Channel, req: RenderRequest, budget = new RenderBudget(RENDER_LIMITS)): RenderedChannel {
  const chain = localeChain(req.locale, req.defaultLocale);
  const locale = pickLocale(chain, Object.keys(req.compiled), (l) => !!req.compiled[l]?.[channel]);
  if (!locale)
    throw new InputError("TEMPLATE_CHANNEL_MISSING", `The template has no ${channel} content (tried ${chain.join(", ")})`, req.channelField ?? "channels");
  const parts = renderParts(req.compiled[locale]![channel]!, req.scope, `${locale}.${channel}`, req.field, budget);

  const data = Object.fromEntries(Object.entries(parts).flatMap(([k, v]) => (k.startsWith("data.") ? [[k.slice(5), v]] : [])));
  const hasData = Object.keys(data).length > 0;
  const input =
    channel === "EMAIL" ? { subject: parts.subject, html: parts.html, body: parts.text }
    : channel === "SMS" ? { body: parts.text }
    : { title: parts.title, body: parts.body, url: parts.url };
  try {
    const content = contentForChannel(channel, input, hasData ? { ...req.pushData, ...data } : req.pushData);
    return { channel, locale, content, ...(hasData ? { data } : {}) };
  } catch (err) {
    // The limits are the inline ones, but the fault is in the template or its data, not in `content`.
    if (err instanceof ApiError && typeof err.extensions.reason === "string")
      throw new InputError(err.extensions.reason, `${channel} content rendered from locale ${locale}: ${err.message}`, req.field);
    throw err;
  }
}

function renderParts(parts: CompiledChannel, scope: Record<string, unknown>, where: string, field: string, budget: RenderBudget): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, part] of Object.entries(parts)) {
    try {
      out[name] = renderPart(part.engine, part.templates, scope, budget);
    } catch (err) {
      // liquidjs wraps what a nested tag throws, so the budget says whether it ran out.
      const overrun = budget.overrun;
      if (overrun) throw new InputError("TEMPLATE_TOO_EXPENSIVE", `${where}.${name}: ${overrun.message}`, field);
      throw new InputError("TEMPLATE_RENDER", `${where}.${name}: ${(err as Error).message}`, field);
    }
  }
  return out;
}

/** Liquid's renderSync, with the budget's meters in the Context and output counted as it is written. */
function renderPart(engine: Liquid, templates: Template[], scope: Record<string, unknown>, budget: RenderBudget): string {
  const ctx = new Context(scope, engine.options, { sync: true }, { renderLimit: budget.stepLimiter, memoryLimit: budget.memoryLimiter, liquid: engine });
  const emitter = new CountingEmitter(budget);
  toValueSync(engine.renderer.renderTemplates(templates, ctx, emitter));
  return emitter.buffer;
}

class CountingEmitter {
  buffer = "";
  constructor(private readonly budget: RenderBudget) {}
  write(html: unknown): void {
    const s = stringify(html);
    this.budget.charge("outputBytes", s.length);
    this.buffer += s;
  }
}

/** As liquidjs's own emitter writes a value (its helper is not exported). */
function stringify(value: unknown): string {
  const v = toValue(value);
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(stringify).join("");
  return String(v);
}
