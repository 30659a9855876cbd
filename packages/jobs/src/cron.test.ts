import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CronError, nextCronRun } from "./cron.js";

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
