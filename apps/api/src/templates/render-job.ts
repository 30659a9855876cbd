import type { Channel } from "@notify/db";
import { ApiError } from "../errors.js";
import type { CompiledContent } from "./compile.js";
import { renderChannel, type RenderedChannel } from "./render.js";
import { BudgetExceeded, RenderBudget, type RenderLimits } from "./render-budget.js";

/**
 * One render: the channels of one preview, one send, one recipient of a bulk send or one locale
 * of a broadcast. Plain data, so it crosses into a worker thread by structured clone.
 */
export interface RenderJob {
  channels: Channel[];
  locale: string | null;
  scope: Record<string, unknown>;
  pushData?: Record<string, unknown>;
  field: string;
  channelField?: string;
}

/** An input error as data (a GraphQLError does not survive structured clone). */
export interface RenderFailure {
  reason: string;
  message: string;
  field?: string;
}

export type JobResult = { channels: RenderedChannel[] } | { error: RenderFailure };

export interface JobsOptions {
  defaultLocale: string;
  limits: RenderLimits;
  /** The whole request's cap and what earlier jobs of the request used; null for a single render. */
  request: { limits: RenderLimits; used: RenderLimits } | null;
  /**
   * In-process only: a small budget over the whole call. When it runs out the job in progress is
   * abandoned (not answered) and it and the rest go to the worker pool.
   */
  probe?: RenderBudget;
  /**
   * Pool tasks: stop between jobs once this much has been spent, and let the caller send the rest
   * in another task. A task's work stays far below its time limit, whatever the request's cap.
   */
  yieldAfter?: RenderLimits;
}

export interface JobsOutcome {
  results: JobResult[];
  /** Jobs answered; fewer than given when the probe ran out or the task yielded. */
  done: number;
  /** Request usage after the answered jobs. */
  used: RenderLimits | null;
  /** The request cap ran out after job `done - 1`. */
  requestOverrun: string | null;
}

/**
 * Runs jobs in order, each with its own budget; each job's usage is added to the request's
 * after it finishes, so where a job ran (in process, in which worker, in which chunk) never
 * changes what it costs or whether the request's cap is reached.
 */
export function runJobs(compiled: CompiledContent, jobs: RenderJob[], opts: JobsOptions): JobsOutcome {
  const results: JobResult[] = [];
  const used = opts.request ? { ...opts.request.used } : null;
  const spentHere: RenderLimits = { steps: 0, memory: 0, outputBytes: 0 };
  for (const job of jobs) {
    const budget = new RenderBudget(opts.limits, opts.probe ?? null);
    let result: JobResult;
    try {
      result = { channels: job.channels.map((channel) => renderChannel(channel, { compiled, defaultLocale: opts.defaultLocale, ...job }, budget)) };
    } catch (err) {
      if (opts.probe?.exceeded) return { results, done: results.length, used, requestOverrun: null };
      if (!(err instanceof ApiError)) throw err;
      const ext = err.extensions as { reason?: string; field?: string };
      result = { error: { reason: ext.reason ?? "TEMPLATE_RENDER", message: err.message, ...(ext.field ? { field: ext.field } : {}) } };
    }
    results.push(result);
    const spent = budget.usage();
    const units = Object.keys(spent) as (keyof RenderLimits)[];
    if (used && opts.request)
      for (const unit of units) {
        used[unit] += spent[unit];
        if (used[unit] > opts.request.limits[unit])
          return { results, done: results.length, used, requestOverrun: new BudgetExceeded(unit, opts.request.limits[unit], "request").message };
      }
    for (const unit of units) spentHere[unit] += spent[unit];
    if (opts.yieldAfter && units.some((unit) => spentHere[unit] >= opts.yieldAfter![unit])) break;
  }
  return { results, done: results.length, used, requestOverrun: null };
}
