import { workerData, type MessagePort } from "node:worker_threads";
import { configureSmsPolicy, type SmsPolicy } from "../notifications/channel-content.js";
import { compileContent, type CompiledContent } from "./compile.js";
import { runJobs, type JobsOptions, type JobsOutcome, type RenderJob } from "./render-job.js";
import type { TemplateContent } from "./template-content.js";

/**
 * A worker thread of the render pool (render-pool.ts). It parses what it is sent, keeping
 * published versions parsed (they never change, as in CompiledTemplateCache), and runs the
 * jobs with the same budgets as the in-process path.
 */
export interface RenderTask {
  /** A published or archived version's id, parsed once per worker; null for a draft. */
  cacheKey: string | null;
  content: TemplateContent;
  jobs: RenderJob[];
  options: Omit<JobsOptions, "probe">;
  /** Told when this task starts, so its time limit does not count its wait in the queue. */
  started: MessagePort;
}

configureSmsPolicy((workerData as { smsPolicy: SmsPolicy }).smsPolicy);

const CAPACITY = 200;
const parsed = new Map<string, CompiledContent>();

function compiled(task: RenderTask): CompiledContent {
  if (!task.cacheKey) return compileContent(task.content);
  const hit = parsed.get(task.cacheKey);
  if (hit) {
    parsed.delete(task.cacheKey);
    parsed.set(task.cacheKey, hit);
    return hit;
  }
  const fresh = compileContent(task.content);
  parsed.set(task.cacheKey, fresh);
  if (parsed.size > CAPACITY) parsed.delete(parsed.keys().next().value!);
  return fresh;
}

export default function render(task: RenderTask): JobsOutcome {
  task.started.postMessage(null);
  task.started.close();
  return runJobs(compiled(task), task.jobs, task.options);
}
