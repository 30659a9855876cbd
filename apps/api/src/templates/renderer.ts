import { ApiError, InputError } from "../errors.js";
import { compileContent, type CompiledContent } from "./compile.js";
import type { RenderedChannel } from "./render.js";
import { RenderBudget, RENDER_LIMITS, REQUEST_LIMITS, type RenderLimits } from "./render-budget.js";
import { runJobs, type JobResult, type JobsOptions, type JobsOutcome, type RenderJob } from "./render-job.js";
import { RenderAborted, type RenderPool } from "./render-pool.js";
import type { TemplateContent } from "./template-content.js";

/** A version to render: parsed here, and its source for the worker threads to parse. */
export interface RenderSource {
  /** The app it renders for: the pool's queue takes apps in turn. */
  tenant: string;
  /** The version id when its content can never change (published, archived); null for a draft. */
  cacheKey: string | null;
  content: TemplateContent;
  /**
   * Parsed here; absent for a large draft, which only the worker threads parse (a preview of a
   * 2 MB draft would otherwise cost the event loop its parse every time).
   */
  compiled?: CompiledContent;
  defaultLocale: string;
}

/**
 * How much of one call may run on the event loop before the rest goes to the pool: about a
 * millisecond of rendering. Ordinary templates (a few hundred steps) never leave the process,
 * so a send pays no thread hop; a costly one has spent at most this much here.
 */
export const PROBE_LIMITS: RenderLimits = { steps: 2_000, memory: 100_000, outputBytes: 200_000 };

/** Renders per pool task: one bulk send is a few tasks, not one per recipient, and other calls' tasks get a turn between them. */
const CHUNK = 250;
/**
 * What one pool task may spend before it hands back and the rest of the call goes in the next
 * task (~0.1–0.5 s of rendering): far below RENDER_TIMEOUT_MS on a loaded machine, so renders
 * within their budgets never meet the wall-time limit, and the results cloned back stay small.
 */
export const TASK_LIMITS: RenderLimits = { steps: 500_000, memory: 10_000_000, outputBytes: 8_000_000 };

const ZERO: RenderLimits = { steps: 0, memory: 0, outputBytes: 0 };

/**
 * Where renders run. Each call starts in process under PROBE_LIMITS; a job that outgrows the
 * probe is abandoned and it and the rest of the call are rendered by the worker pool. Budgets
 * are the same on both sides and counted in deterministic units, so the answer never depends
 * on which side rendered, on load, or on chunking. Without a pool (unit tests, tools) all
 * rendering is in process, with the same budgets.
 */
export class TemplateRenderer {
  constructor(private readonly pool: RenderPool | null = null) {}

  /** One render (a preview, one send); throws its error. */
  async renderOne(source: RenderSource, job: RenderJob): Promise<RenderedChannel[]> {
    const [result] = await this.run(source, [job], null);
    if ("error" in result!) throw asError(result.error);
    return result!.channels;
  }

  /**
   * One render per item (bulk recipients, broadcast locales), each with its own budget and all
   * under the request's cap; an item's failure is its own, the cap's failure rejects the call.
   */
  async renderMany(source: RenderSource, jobs: RenderJob[], requestField: string): Promise<(RenderedChannel[] | ApiError)[]> {
    const results = await this.run(source, jobs, requestField);
    return results.map((r) => ("error" in r ? asError(r.error) : r.channels));
  }

  private async run(source: RenderSource, jobs: RenderJob[], requestField: string | null): Promise<JobResult[]> {
    const options: Omit<JobsOptions, "probe"> = {
      defaultLocale: source.defaultLocale,
      limits: RENDER_LIMITS,
      request: requestField != null ? { limits: REQUEST_LIMITS, used: ZERO } : null,
    };
    let outcome: JobsOutcome;
    if (!this.pool) outcome = runJobs(source.compiled ?? compileContent(source.content), jobs, options);
    else if (source.compiled) outcome = runJobs(source.compiled, jobs, { ...options, probe: new RenderBudget(PROBE_LIMITS, null, "probe") });
    else outcome = { results: [], done: 0, used: options.request && options.request.used, requestOverrun: null };
    const results = outcome.results;
    for (;;) {
      if (outcome.requestOverrun)
        throw new InputError("TEMPLATE_TOO_EXPENSIVE", `Rendering this request ${outcome.requestOverrun} (reached at ${jobs[results.length - 1]!.field})`, requestField!);
      if (results.length >= jobs.length) return results;
      const chunk = jobs.slice(results.length, results.length + CHUNK);
      try {
        outcome = await this.pool!.run({
          cacheKey: source.cacheKey,
          content: source.content,
          jobs: chunk,
          options: { ...options, request: options.request && { limits: options.request.limits, used: outcome.used! }, yieldAfter: TASK_LIMITS },
        }, source.tenant);
      } catch (err) {
        if (err instanceof RenderAborted) throw new InputError("TEMPLATE_TOO_EXPENSIVE", err.message, requestField ?? chunk[0]!.field);
        throw err;
      }
      // A task always answers at least one job (it yields only after one); never loop without progress.
      if (!outcome.results.length) throw new Error("a render task answered no job");
      results.push(...outcome.results);
    }
  }

  close(): Promise<void> {
    return this.pool?.close() ?? Promise.resolve();
  }
}

function asError(failure: { reason: string; message: string; field?: string }): ApiError {
  return new InputError(failure.reason, failure.message, failure.field);
}
