import { Piscina, type TaskQueue } from "piscina";

type Task = Parameters<TaskQueue["push"]>[0];

/** What a render task carries for the queue (a symbol key, so it is not cloned into the worker). */
export const QUEUE_OPTIONS = Piscina.queueOptionsSymbol;
export interface RenderQueueOptions {
  /** The app the render is for. */
  tenant: string;
}

/**
 * The pool's wait queue, fair between apps: tasks are taken round-robin by app, each app's in
 * arrival order. One app's burst of costly previews waits behind itself, not in front of the
 * render another app's send needs.
 */
export class FairTaskQueue implements TaskQueue {
  private readonly byTenant = new Map<string, Task[]>();
  /** Apps with waiting tasks, the next one to serve first. */
  private readonly turn: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(task: Task): void {
    this.queueOf(task).push(task);
    this.count++;
  }

  unshift(task: Task): void {
    const tenant = tenantOf(task);
    this.queueOf(task).unshift(task);
    this.turn.splice(this.turn.indexOf(tenant), 1);
    this.turn.unshift(tenant);
    this.count++;
  }

  shift(): Task | null {
    const tenant = this.turn.shift();
    if (tenant === undefined) return null;
    const tasks = this.byTenant.get(tenant)!;
    const task = tasks.shift()!;
    if (tasks.length) this.turn.push(tenant);
    else this.byTenant.delete(tenant);
    this.count--;
    return task;
  }

  remove(task: Task): void {
    const tenant = tenantOf(task);
    const tasks = this.byTenant.get(tenant);
    const index = tasks?.indexOf(task) ?? -1;
    if (index < 0) return;
    tasks!.splice(index, 1);
    this.count--;
    if (!tasks!.length) {
      this.byTenant.delete(tenant);
      this.turn.splice(this.turn.indexOf(tenant), 1);
    }
  }

  private queueOf(task: Task): Task[] {
    const tenant = tenantOf(task);
    let tasks = this.byTenant.get(tenant);
    if (!tasks) {
      tasks = [];
      this.byTenant.set(tenant, tasks);
      this.turn.push(tenant);
    }
    return tasks;
  }
}

function tenantOf(task: Task): string {
  return ((task as unknown as Record<symbol, RenderQueueOptions | null>)[QUEUE_OPTIONS])?.tenant ?? "";
}
