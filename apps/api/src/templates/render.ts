import type { Channel } from "@notify/db";
import { ApiError, InputError } from "../errors.js";
import { contentForChannel, type ChannelContent } from "../notifications/channel-content.js";
import type { CompiledChannel, CompiledContent } from "./compile.js";
import { localeChain, pickLocale } from "./locale.js";

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

/** Renders one channel with locale fallback, and applies the same checks as inline content. */
export function renderChannel(channel: Channel, req: RenderRequest): RenderedChannel {
  const chain = localeChain(req.locale, req.defaultLocale);
  const locale = pickLocale(chain, Object.keys(req.compiled), (l) => !!req.compiled[l]?.[channel]);
  if (!locale)
    throw new InputError("TEMPLATE_CHANNEL_MISSING", `The template has no ${channel} content (tried ${chain.join(", ")})`, req.channelField ?? "channels");
  const parts = renderParts(req.compiled[locale]![channel]!, req.scope, `${locale}.${channel}`, req.field);

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

function renderParts(parts: CompiledChannel, scope: Record<string, unknown>, where: string, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, part] of Object.entries(parts)) {
    try {
      out[name] = part.engine.renderSync(part.templates, scope) as string;
    } catch (err) {
      throw new InputError("TEMPLATE_RENDER", `${where}.${name}: ${(err as Error).message}`, field);
    }
  }
  return out;
}
