import { Liquid, type LiquidOptions } from "liquidjs";

/**
 * Liquid has no code execution; what is left to close is file access (include/render/layout read
 * partials from disk), prototype access and runaway templates. Unknown variables and filters are
 * errors, so a typo fails the save or the send instead of rendering as an empty string.
 */
const hardened: LiquidOptions = {
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  // An empty in-memory file system: even if a partial tag were reachable, nothing can be read.
  templates: {},
  preserveTimezones: true,
  parseLimit: 1_000_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
};

// Partials would be a second, unvalidated template source; refuse them at parse time.
const FILE_TAGS = ["include", "render", "layout", "block"];

function engine(options: LiquidOptions): Liquid {
  const liquid = new Liquid({ ...hardened, ...options });
  for (const tag of FILE_TAGS) delete (liquid.tags as Record<string, unknown>)[tag];
  return liquid;
}

/** For email HTML: every output is HTML-escaped unless the template says `| raw`. */
export const htmlLiquid = engine({ outputEscape: "escape" });
/** For subjects, plain text, SMS and push: escaping would show up as literal `&amp;`. */
export const textLiquid = engine({});
