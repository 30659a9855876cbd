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
  const from = new Date("2027-01-01T00:00:00Z");
  test("every second, every minute, hourly and a daily pair an hour apart", () => {
    assert.equal(shortestCronInterval("* * * * * *", "UTC", from), 1_000);
    assert.equal(shortestCronInterval("* * * * *", "UTC", from), 60_000);
    assert.equal(shortestCronInterval("0 * * * *", "UTC", from), 3_600_000);
    assert.equal(shortestCronInterval("0 9,10 * * *", "Europe/Madrid", from), 3_600_000);
    assert.equal(shortestCronInterval("30 8 * * MON-FRI", "Europe/Madrid", from), 86_400_000);
  });

  test("a tight pair late in the month is found too, and a cron firing once in the horizon has no gap", () => {
    assert.equal(shortestCronInterval("0,5 9 28 * *", "UTC", from), 300_000);
    assert.equal(shortestCronInterval("0 9 1 1 *", "UTC", from), Infinity);
  });
});
