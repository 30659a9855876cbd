import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FairTaskQueue, QUEUE_OPTIONS } from "./render-queue.js";

type Task = Parameters<FairTaskQueue["push"]>[0];
const task = (tenant: string, name: string) => ({ name, [QUEUE_OPTIONS]: { tenant } }) as unknown as Task;
const names = (q: FairTaskQueue) => {
  const out: string[] = [];
  for (let t = q.shift(); t; t = q.shift()) out.push((t as unknown as { name: string }).name);
  return out;
};

describe("render pool queue", () => {
  test("apps are served in turn, each in arrival order: a burst from one app does not wait in front of another's render", () => {
    const q = new FairTaskQueue();
    for (let i = 1; i <= 4; i++) q.push(task("attacker", `a${i}`));
    q.push(task("bystander", "b1"));
    q.push(task("other", "o1"));
    q.push(task("bystander", "b2"));
    assert.equal(q.size, 7);
    assert.deepEqual(names(q), ["a1", "b1", "o1", "a2", "b2", "a3", "a4"]);
    assert.equal(q.size, 0);
    assert.equal(q.shift(), null);
  });

  test("an aborted task leaves the queue; a task put back goes first", () => {
    const q = new FairTaskQueue();
    const a2 = task("a", "a2");
    q.push(task("a", "a1"));
    q.push(a2);
    q.push(task("b", "b1"));
    q.remove(a2);
    q.unshift(task("b", "b0"));
    assert.equal(q.size, 3);
    assert.deepEqual(names(q), ["b0", "a1", "b1"]);
  });
});
