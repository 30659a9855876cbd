import { CaptureTag, Liquid, type Context, type LiquidOptions } from "liquidjs";

/**
 * Liquid has no code execution; what is left to close is file access (include/render/layout read
 * partials from disk), prototype access and runaway templates. Unknown variables and filters are
 * errors, so a typo fails the save or the send instead of rendering as an empty string.
 *
 * Runaway templates are bounded by a RenderBudget (render-budget.ts) shared by every part of one
 * render, handed to each render through its Context (render.ts); the limits here only apply to a
 * render that is not given one, and to parsing.
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

/**
 * `capture` renders into a string of its own that liquidjs's memory accounting never sees, so
 * `{% capture s %}{{ s }}{{ s }}{% endcapture %}` in a short loop would double a string to
 * gigabytes in a few dozen steps. Its result is charged as memory.
 */
class CountedCaptureTag extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    yield* super.render(ctx);
    const captured = ctx.bottom()[this.variable];
    if (typeof captured === "string") ctx.memoryLimit.use(captured.length);
  }
}

function engine(options: LiquidOptions): Liquid {
  const liquid = new Liquid({ ...hardened, ...options });
  for (const tag of FILE_TAGS) delete (liquid.tags as Record<string, unknown>)[tag];
  liquid.registerTag("capture", CountedCaptureTag);
  return liquid;
}

/** For email HTML: every output is HTML-escaped unless the template says `| raw`. */
export const htmlLiquid = engine({ outputEscape: "escape" });
/** For subjects, plain text, SMS and push: escaping would show up as literal `&amp;`. */
export const textLiquid = engine({});
