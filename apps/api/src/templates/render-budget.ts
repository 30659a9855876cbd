import type { Context } from "liquidjs";

/**
 * What rendering may cost, in units that do not depend on the machine or its load, so the same
 * template with the same data passes or fails the same way in a preview, a single send and a bulk
 * send on a busy server. Wall time is not one of them; it only ends a pool task as a last resort
 * (render-pool.ts).
 *
 * - `steps`: template nodes rendered, counting every loop iteration's body (liquidjs checks its
 *   `renderLimit` once per node list and once per node; we count those checks instead of reading
 *   the clock).
 * - `memory`: liquidjs's own allocation accounting (`memoryLimit`: ranges, split/join, string
 *   filters, …), plus what `capture` builds, which liquidjs does not count.
 * - `outputBytes`: characters written to the rendered output.
 */
export interface RenderLimits {
  steps: number;
  memory: number;
  outputBytes: number;
}

export type RenderUnit = keyof RenderLimits;

/**
 * One preview, one recipient of a send, one locale of a broadcast: every part (channel × field) of
 * that render draws from this. The 1400×1400 loop of the attack is ~2,000,000 steps; an ordinary
 * template is a few hundred. On this machine liquidjs does 1,000–5,000 steps per millisecond.
 */
export const RENDER_LIMITS: RenderLimits = { steps: 50_000, memory: 1_000_000, outputBytes: 1_000_000 };

/**
 * The whole of one bulk send or broadcast, on top of each recipient's own budget, so 10,000
 * recipients each just under their budget cannot buy minutes of CPU.
 */
export const REQUEST_LIMITS: RenderLimits = { steps: 5_000_000, memory: 50_000_000, outputBytes: 100_000_000 };

const UNIT_NAMES: Record<RenderUnit, string> = { steps: "render steps", memory: "memory units", outputBytes: "output characters" };

/** Thrown (and recorded on the budget) when a unit runs out; render.ts turns it into TEMPLATE_TOO_EXPENSIVE. */
export class BudgetExceeded extends Error {
  constructor(
    readonly unit: RenderUnit,
    readonly limit: number,
    /** "render" for one render's budget, "request" for the whole bulk/broadcast cap. */
    readonly scope: string,
  ) {
    super(`exceeded the ${scope} budget of ${limit.toLocaleString("en-US")} ${UNIT_NAMES[unit]}`);
  }
}

type Limiter = Context["memoryLimit"];

/**
 * A budget with an optional parent (the request's cap): every charge goes to both. liquidjs wraps
 * errors thrown inside nested tags, so the first overrun is also kept in `exceeded` and checked
 * by the caller after the render, instead of by matching messages.
 */
export class RenderBudget {
  private readonly used: RenderLimits = { steps: 0, memory: 0, outputBytes: 0 };
  exceeded: BudgetExceeded | null = null;

  constructor(
    readonly limits: RenderLimits,
    private readonly parent: RenderBudget | null = null,
    private readonly scope = "render",
  ) {}

  charge(unit: RenderUnit, count: number): void {
    if (!(count > 0)) return;
    this.parent?.charge(unit, count);
    if (this.used[unit] + count > this.limits[unit]) {
      // A refused charge (a 100,000,000-element range asked for at once) was not spent: the
      // render stops here, having used its whole budget of this unit and no more.
      this.used[unit] = this.limits[unit];
      this.exceeded ??= new BudgetExceeded(unit, this.limits[unit], this.scope);
      throw this.exceeded;
    }
    this.used[unit] += count;
  }

  /** The first overrun of this budget or of its parent. */
  get overrun(): BudgetExceeded | null {
    return this.exceeded ?? this.parent?.overrun ?? null;
  }

  usage(): Readonly<RenderLimits> {
    return { ...this.used };
  }

  /** What liquidjs's Context takes as `renderLimit`: `check` runs once per rendered node. */
  get stepLimiter(): Limiter {
    return limiter(() => this.charge("steps", 1), () => undefined);
  }

  /** What liquidjs's Context takes as `memoryLimit`. */
  get memoryLimiter(): Limiter {
    return limiter(() => undefined, (n) => this.charge("memory", n));
  }
}

function limiter(check: () => void, use: (count: number) => void): Limiter {
  // liquidjs's Limiter class is not exported; Context only calls these two methods.
  return { check, use: (count: number) => use(+count) } as unknown as Limiter;
}
