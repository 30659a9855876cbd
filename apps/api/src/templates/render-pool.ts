import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import { ApiError } from "../errors.js";
import { smsPolicyInUse } from "../notifications/channel-content.js";
import type { JobsOutcome } from "./render-job.js";
import { FairTaskQueue, QUEUE_OPTIONS } from "./render-queue.js";
import type { RenderTask } from "./render-worker.js";

export interface RenderPoolOptions {
  /** Worker threads (RENDER_POOL_SIZE). */
  size: number;
  /**
   * The last resort: a task running longer than this is aborted and its worker replaced
   * (RENDER_TIMEOUT_MS). Counted from when a thread starts the task, not while it waits in the
   * queue, so a busy pool does not turn renders that fit their budget into timeouts.
   */
  timeoutMs: number;
  /** Tasks waiting for a thread beyond which renders are refused as busy. */
  maxQueue?: number;
}

/** A render that did not finish for a reason other than its budget: the wall-time last resort, or memory. */
export class RenderAborted extends Error {}

/**
 * Worker threads for renders that outgrow the in-process probe (renderer.ts), so a costly
 * template runs beside the event loop instead of on it. The threads run at a lower OS priority
 * (niceIncrement) than the API's main thread: a busy pool slows renders, not every other request.
 */
export class RenderPool {
  private readonly pool: Piscina<RenderTask, JobsOutcome>;

  constructor(private readonly options: RenderPoolOptions) {
    this.pool = new Piscina({
      filename: fileURLToPath(new URL("./render-worker.js", import.meta.url)),
      minThreads: 1,
      maxThreads: options.size,
      maxQueue: options.maxQueue ?? 256,
      taskQueue: new FairTaskQueue(),
      idleTimeout: 60_000,
      niceIncrement: 5,
      // A template that escapes its memory budget takes down its worker, not the API.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
      workerData: { smsPolicy: smsPolicyInUse() },
    });
  }

  /** tenant: the app the render is for; the queue takes apps in turn. */
  async run(task: Omit<RenderTask, "started">, tenant: string): Promise<JobsOutcome> {
    const controller = new AbortController();
    const { port1, port2 } = new MessageChannel();
    let timer: NodeJS.Timeout | undefined;
    port1.once("message", () => {
      timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    });
    try {
      return await this.pool.run({ ...task, started: port2, [QUEUE_OPTIONS]: { tenant } }, { signal: controller.signal, transferList: [port2] });
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.name === "AbortError") throw new RenderAborted(`rendering took longer than ${this.options.timeoutMs} ms`);
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY") throw new RenderAborted("rendering ran out of memory");
      if (e.message === "Task queue is at limit")
        throw new ApiError("RATE_LIMITED", "Template rendering is busy; retry shortly", { reason: "RENDER_BUSY", retryAfterMs: 1000 }, 503);
      throw err;
    } finally {
      clearTimeout(timer);
      port1.close();
    }
  }

  get queueSize(): number {
    return this.pool.queueSize;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
