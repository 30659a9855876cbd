import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { ApiError } from "../errors.js";
import { MAX_PARTS, parseDefinition } from "./definition.js";
import { RENDER_LIMITS, REQUEST_LIMITS } from "./render-budget.js";
import { runJobs, type RenderJob } from "./render-job.js";
import { RenderPool } from "./render-pool.js";
import { PROBE_LIMITS, TASK_LIMITS, TemplateRenderer, type RenderSource } from "./renderer.js";

// The attack from issue 9: ten parts (a push title, body and eight data keys), each a 1400×1400 loop.
const LOOP = "{% for i in (1..1400) %}{% for j in (1..1400) %}{% endfor %}{% endfor %}";
const attack = parseDefinition(
  { en: { IOS_PUSH: { title: LOOP, body: LOOP, data: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, LOOP])) } } },
  [],
  "en",
);
// A part of `n` empty loop iterations costs n + 3 steps (one per iteration, the loop, the text, the part).
const loops = (n: number) => `{% for i in (1..${n}) %}{% endfor %}done`;

const source = (def: ReturnType<typeof parseDefinition>, cacheKey: string | null = null): RenderSource => ({
  tenant: "app",
  cacheKey,
  content: def.content,
  compiled: def.compiled,
  defaultLocale: "en",
});
const job = (channels: RenderJob["channels"], scope: Record<string, unknown> = {}, field = "data"): RenderJob => ({ channels, locale: null, scope, field });

async function failure(p: Promise<unknown>): Promise<{ reason: unknown; field: unknown; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return { reason: err.extensions.reason, field: err.extensions.field, message: err.message };
  }
  assert.fail("expected the render to fail");
}

const inProcess = new TemplateRenderer(null);
/** Counts tasks, to see a long call split into several. */
class CountingPool extends RenderPool {
  tasks = 0;
  override run(...args: Parameters<RenderPool["run"]>) {
    this.tasks++;
    return super.run(...args);
  }
}
const pool = new CountingPool({ size: 1, timeoutMs: 10_000 });
const pooled = new TemplateRenderer(pool);
after(() => pooled.close());

describe("render budget: one per render, in deterministic units, the same in process and in the pool", () => {
  test("the ten-part 1400×1400 template is refused as TEMPLATE_TOO_EXPENSIVE naming its first part, identically every time and on both sides", async () => {
    const outcomes = [];
    // It stops at the budget (50,000 of the ~2,000,000 steps of the first part), not after 20 million:
    // the message says which unit ran out, and no wall-clock reading decides it.
    for (const renderer of [inProcess, pooled, inProcess, pooled]) outcomes.push(await failure(renderer.renderOne(source(attack), job(["IOS_PUSH"]))));
    for (const o of outcomes) assert.deepEqual(o, outcomes[0]);
    assert.deepEqual(outcomes[0], {
      reason: "TEMPLATE_TOO_EXPENSIVE",
      field: "data",
      message: "en.IOS_PUSH.title: exceeded the render budget of 50,000 render steps",
    });
  });

  test("the budget is shared by all parts of one render: two parts that each fit alone fail together, at the second", async () => {
    const most = Math.floor(RENDER_LIMITS.steps * 0.6);
    const one = parseDefinition({ en: { EMAIL: { subject: "s", text: loops(most) } } }, [], "en");
    const two = parseDefinition({ en: { EMAIL: { subject: "s", text: loops(most), html: loops(most) } } }, [], "en");
    const sms = parseDefinition({ en: { EMAIL: { subject: "s", text: loops(most) }, SMS: { text: loops(most) } } }, [], "en");
    for (const renderer of [inProcess, pooled]) {
      const [email] = await renderer.renderOne(source(one), job(["EMAIL"]));
      assert.equal(email!.content.body, "done");
      const f = await failure(renderer.renderOne(source(two), job(["EMAIL"])));
      assert.equal(f.reason, "TEMPLATE_TOO_EXPENSIVE");
      assert.match(f.message, /^en\.EMAIL\.(html|text): exceeded the render budget of 50,000 render steps$/);
      // Channels of one send share it too; each alone fits.
      await renderer.renderOne(source(sms), job(["SMS"]));
      assert.equal((await failure(renderer.renderOne(source(sms), job(["EMAIL", "SMS"])))).message, "en.SMS.text: exceeded the render budget of 50,000 render steps");
    }
  });

  test("a render just over the in-process probe goes to the pool and answers exactly what the in-process render answers", async () => {
    const def = parseDefinition({ en: { SMS: { text: `{% for i in (1..${PROBE_LIMITS.steps * 3}) %}{% if i == 5000 %}{{ name }} {{ i }}{% endif %}{% endfor %}` } } }, [{ name: "name", type: "STRING" }], "en");
    const here = await inProcess.renderOne(source(def), job(["SMS"], { name: "Ana" }));
    const there = await pooled.renderOne(source(def, "v-probe"), job(["SMS"], { name: "Ana" }));
    assert.deepEqual(there, here);
    assert.equal(here[0]!.content.body, "Ana 5000");
  });

  test("a source not parsed in process (a large draft) is parsed and rendered by the pool, with the same answer", async () => {
    const { compiled: _, ...unparsed } = source(attack);
    assert.deepEqual(await failure(pooled.renderOne(unparsed, job(["IOS_PUSH"]))), await failure(inProcess.renderOne(source(attack), job(["IOS_PUSH"]))));
  });

  test("memory and output are budgeted too: a capture that doubles a string, and a loop that prints a long one", async () => {
    const doubling = parseDefinition(
      { en: { SMS: { text: '{% assign s = "x" %}{% for i in (1..60) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}' } } },
      [],
      "en",
    );
    // 1,280 characters, printed 1,000 times: few steps, little memory, 1.28 MB of output.
    const printing = parseDefinition(
      { en: { SMS: { text: '{% assign s = "xxxxxxxxxx" %}{% for i in (1..7) %}{% assign s = s | append: s %}{% endfor %}{% for i in (1..1000) %}{{ s }}{% endfor %}' } } },
      [],
      "en",
    );
    for (const renderer of [inProcess, pooled]) {
      assert.deepEqual(await failure(renderer.renderOne(source(doubling), job(["SMS"]))), {
        reason: "TEMPLATE_TOO_EXPENSIVE",
        field: "data",
        message: "en.SMS.text: exceeded the render budget of 1,000,000 memory units",
      });
      assert.deepEqual(await failure(renderer.renderOne(source(printing), job(["SMS"]))), {
        reason: "TEMPLATE_TOO_EXPENSIVE",
        field: "data",
        message: "en.SMS.text: exceeded the render budget of 1,000,000 output characters",
      });
    }
  });

  test("many renders: each item has its own budget, and the request as a whole a cap that rejects it at the same item wherever it ran", async () => {
    const def = parseDefinition({ en: { SMS: { text: "{% for i in (1..n) %}{% endfor %}ok" } } }, [{ name: "n", type: "NUMBER" }], "en");
    // Item 1 exceeds its own budget; the others are fine and answered.
    // Item 3 asks for a 100,000,000-element range at once: refused as its own memory overrun, and
    // counted as its budget, not as 100,000,000 units of the request's.
    const mixed = [job(["SMS"], { n: 10 }, "r[0]"), job(["SMS"], { n: RENDER_LIMITS.steps * 2 }, "r[1]"), job(["SMS"], { n: 10 }, "r[2]"), job(["SMS"], { n: 1e8 }, "r[3]")];
    for (const renderer of [inProcess, pooled]) {
      const results = await renderer.renderMany(source(def), mixed, "recipients");
      assert.ok(!(results[0] instanceof ApiError));
      assert.equal(results[0]![0]!.content.body, "ok");
      assert.ok(results[1] instanceof ApiError);
      assert.equal(results[1].extensions.reason, "TEMPLATE_TOO_EXPENSIVE");
      assert.equal(results[1].extensions.field, "r[1]");
      assert.ok(!(results[2] instanceof ApiError));
      assert.ok(results[3] instanceof ApiError);
      assert.equal(results[3].message, "en.SMS.text: exceeded the render budget of 1,000,000 memory units");
    }
    // About 40,000 steps each is within every item's budget; the 5,000,000-step request cap is reached at item 125.
    const many = Array.from({ length: 300 }, (_, i) => job(["SMS"], { n: 40_000 }, `recipients[${i}].data`));
    const cost = runJobs(def.compiled, [many[0]!], { defaultLocale: "en", limits: RENDER_LIMITS, request: { limits: REQUEST_LIMITS, used: { steps: 0, memory: 0, outputBytes: 0 } } }).used!.steps;
    const reachedAt = Math.floor(REQUEST_LIMITS.steps / cost);
    const expected = {
      reason: "TEMPLATE_TOO_EXPENSIVE",
      field: "recipients",
      message: `Rendering this request exceeded the request budget of 5,000,000 render steps (reached at recipients[${reachedAt}].data)`,
    };
    // The pool renders these in several tasks, each handing back after TASK_LIMITS.steps (so none
    // nears its time limit), carrying the request's usage along.
    const tasksBefore = pool.tasks;
    assert.deepEqual(await failure(pooled.renderMany(source(def, "v-many"), many, "recipients")), expected);
    assert.ok(pool.tasks - tasksBefore >= REQUEST_LIMITS.steps / TASK_LIMITS.steps, `${pool.tasks - tasksBefore} tasks`);
    assert.deepEqual(await failure(inProcess.renderMany(source(def), many, "recipients")), expected);
  });

  test("wall time is only the last resort: a pool task over its time limit is aborted and answered as TEMPLATE_TOO_EXPENSIVE", async () => {
    const impatient = new TemplateRenderer(new RenderPool({ size: 1, timeoutMs: 1 }));
    try {
      const f = await failure(impatient.renderOne(source(attack), job(["IOS_PUSH"])));
      assert.deepEqual(f, { reason: "TEMPLATE_TOO_EXPENSIVE", field: "data", message: "rendering took longer than 1 ms" });
    } finally {
      await impatient.close();
    }
  });

  test("parts are capped per template (locales × channels × fields), and push data keys per channel", () => {
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof ApiError);
        return [err.extensions.reason, err.extensions.field, err.message];
      }
      return undefined;
    };
    // Ten locales of a push with a title, a body and 28 data keys are 300 parts; one more key is too many.
    const locales = (extra: number) =>
      Object.fromEntries(
        ["en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "fi"].map((locale, i) => [
          locale,
          { IOS_PUSH: { title: "t", body: "b", data: Object.fromEntries(Array.from({ length: 28 + (i === 0 ? extra : 0) }, (_, k) => [`k${k}`, "v"])) } },
        ]),
      );
    assert.equal(reason(() => parseDefinition(locales(0), [], "en")), undefined);
    assert.deepEqual(reason(() => parseDefinition(locales(1), [], "en")), [
      "TEMPLATE_TOO_LARGE",
      "content",
      `A template has at most ${MAX_PARTS} parts (locales × channels × fields); this one has ${MAX_PARTS + 1}`,
    ]);
    const data = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"]));
    assert.deepEqual(reason(() => parseDefinition({ en: { IOS_PUSH: { title: "t", data } } }, [], "en")), [
      "INVALID_TEMPLATE",
      "content.en.IOS_PUSH.data",
      "content.en.IOS_PUSH.data: push data has at most 32 keys",
    ]);
  });
});
