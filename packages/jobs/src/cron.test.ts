import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CronError, nextCronRun, shortestCronInterval } from "./cron.js";

describe("nextCronRun: cron read in the schedule's time zone", () => {
  test("09:00 daily in New York is 14:00Z in winter and 13:00Z after the spring-forward night", () => {
    assert.equal(nextCronRun("0 9 * * *", "America/New_York", new Date("2027-03-13T15:00:00Z")).toISOString(), "2027-03-14T13:00:00.000Z");
    assert.equal(nextCronRun("0 9 * * *", "America/New_York", new Date("2027-03-12T15:00:00Z")).toISOString(), "2027-03-13T14:00:00.000Z");
  });

  test("strictly after `after`, with a seconds field when there are six", () => {
    assert.equal(nextCronRun("*/2 * * * * *", "UTC", new Date("2027-01-01T00:00:02.000Z")).toISOString(), "2027-01-01T00:00:04.000Z");
    assert.equal(nextCronRun("30 8 * * MON-FRI", "Europe/Madrid", new Date("2027-01-01T12:00:00Z")).toISOString(), "2027-01-04T07:30:00.000Z"); // Fri → Mon
  });

  test("malformed expressions and unknown zones are CronErrors with a reason", () => {
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof CronError);
        return err.reason;
      }
      assert.fail("expected a CronError");
    };
    assert.equal(reason(() => nextCronRun("", "UTC", new Date())), "INVALID_CRON");
    assert.equal(reason(() => nextCronRun("0 25 * * *", "UTC", new Date())), "INVALID_CRON");
    assert.equal(reason(() => nextCronRun("0 9 * * *", "Mars/Olympus", new Date())), "INVALID_TIMEZONE");
  });
});

describe("shortestCronInterval: how often an expression fires at its tightest", () => {
  test("every second, every minute, hourly, a daily pair an hour apart, weekdays", () => {
    assert.equal(shortestCronInterval("* * * * * *", "UTC"), 1_000);
    assert.equal(shortestCronInterval("* * * * *", "UTC"), 60_000);
    assert.equal(shortestCronInterval("*/30 * * * *", "UTC"), 1_800_000);
    assert.equal(shortestCronInterval("0 * * * *", "Europe/Madrid"), 3_600_000);
    assert.equal(shortestCronInterval("0 9,10 * * *", "Europe/Madrid"), 3_600_000);
    assert.equal(shortestCronInterval("30 8 * * MON-FRI", "Europe/Madrid"), 86_400_000);
  });

  test("a pair on one day of the month, and the gap across midnight", () => {
    assert.equal(shortestCronInterval("0,5 9 28 * *", "UTC"), 300_000);
    assert.equal(shortestCronInterval("30 0,23 * * *", "UTC"), 3_600_000);
    assert.equal(shortestCronInterval("59 23 * * *", "UTC"), 86_400_000);
  });

  test("a malformed expression is a CronError, as for nextCronRun", () => {
    assert.throws(() => shortestCronInterval("0 25 * * *", "UTC"), CronError);
  });
});
