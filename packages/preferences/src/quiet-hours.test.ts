import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatClockTime, parseClockTime, quietUntil } from "./quiet-hours.js";

const NIGHT = { startMinute: 22 * 60, endMinute: 7 * 60 };
const NY = "America/New_York";
const at = (iso: string) => new Date(iso);
const until = (window: typeof NIGHT, zone: string | null, now: string) => quietUntil(window, zone, at(now))?.toISOString() ?? null;

describe("quiet hours 22:00–07:00 in America/New_York across the 2026 DST changes", () => {
  test("spring forward (Sun 8 Mar 2026, 02:00 EST → 03:00 EDT): held until 07:00 EDT = 11:00Z, not 8 elapsed hours", () => {
    assert.equal(until(NIGHT, NY, "2026-03-08T04:00:00Z"), "2026-03-08T11:00:00.000Z"); // 23:00 EST Sat
    assert.equal(until(NIGHT, NY, "2026-03-08T06:30:00Z"), "2026-03-08T11:00:00.000Z"); // 01:30 EST
    assert.equal(until(NIGHT, NY, "2026-03-08T07:30:00Z"), "2026-03-08T11:00:00.000Z"); // 03:30 EDT
    assert.equal(until(NIGHT, NY, "2026-03-08T10:59:00Z"), "2026-03-08T11:00:00.000Z"); // 06:59 EDT
    assert.equal(until(NIGHT, NY, "2026-03-08T11:00:00Z"), null); // 07:00 EDT: the end is exclusive
  });

  test("fall back (Sun 1 Nov 2026, 02:00 EDT → 01:00 EST): held until 07:00 EST = 12:00Z", () => {
    assert.equal(until(NIGHT, NY, "2026-11-01T03:00:00Z"), "2026-11-01T12:00:00.000Z"); // 23:00 EDT Sat
    assert.equal(until(NIGHT, NY, "2026-11-01T05:30:00Z"), "2026-11-01T12:00:00.000Z"); // first 01:30 (EDT)
    assert.equal(until(NIGHT, NY, "2026-11-01T06:30:00Z"), "2026-11-01T12:00:00.000Z"); // second 01:30 (EST)
    assert.equal(until(NIGHT, NY, "2026-11-01T11:59:00Z"), "2026-11-01T12:00:00.000Z"); // 06:59 EST
    assert.equal(until(NIGHT, NY, "2026-11-01T11:00:00Z"), "2026-11-01T12:00:00.000Z"); // 06:00 EST (07:00 EDT would be wrong)
    assert.equal(until(NIGHT, NY, "2026-11-01T12:00:00Z"), null);
  });

  test("the window ends on its minute whatever the second it is now (held until 11:00:00, not 11:00:37)", () => {
    assert.equal(until(NIGHT, NY, "2026-03-08T06:30:37.250Z"), "2026-03-08T11:00:00.000Z");
    assert.equal(until(NIGHT, NY, "2026-11-02T03:00:59Z"), "2026-11-02T12:00:00.000Z");
  });

  test("the start is inclusive and the window wraps midnight into the next local day", () => {
    assert.equal(until(NIGHT, NY, "2026-11-02T03:00:00Z"), "2026-11-02T12:00:00.000Z"); // 22:00 EST Sun
    assert.equal(until(NIGHT, NY, "2026-11-02T02:59:00Z"), null); // 21:59 EST
    assert.equal(until(NIGHT, NY, "2026-07-15T16:00:00Z"), null); // noon EDT
  });

  test("an end time inside the skipped hour is moved forward by the gap (02:30 → 03:30 EDT)", () => {
    const w = { startMinute: 0, endMinute: 150 };
    assert.equal(until(w, NY, "2026-03-08T06:30:00Z"), "2026-03-08T07:30:00.000Z");
  });

  test("an end time inside the repeated hour is the first 01:30, or the second once the first has passed", () => {
    const w = { startMinute: 0, endMinute: 90 };
    assert.equal(until(w, NY, "2026-11-01T05:10:00Z"), "2026-11-01T05:30:00.000Z"); // 01:10 EDT → 01:30 EDT
    assert.equal(until(w, NY, "2026-11-01T06:10:00Z"), "2026-11-01T06:30:00.000Z"); // 01:10 EST → 01:30 EST
  });

  test("southern hemisphere: Australia/Sydney falls back on Sun 5 Apr 2026 (03:00 AEDT → 02:00 AEST)", () => {
    // 23:00 AEDT Sat 4 Apr = 12:00Z; 07:00 AEST Sun = 21:00Z.
    assert.equal(until(NIGHT, "Australia/Sydney", "2026-04-04T12:00:00Z"), "2026-04-04T21:00:00.000Z");
  });
});

describe("quiet hours without DST", () => {
  test("a daytime window in Asia/Seoul (UTC+9) ends the same local day", () => {
    const w = { startMinute: 9 * 60, endMinute: 17 * 60 };
    assert.equal(until(w, "Asia/Seoul", "2026-06-01T01:00:00Z"), "2026-06-01T08:00:00.000Z");
    assert.equal(until(w, "Asia/Seoul", "2026-06-01T08:00:00Z"), null);
  });

  test("a half-hour zone (Asia/Kolkata, UTC+5:30)", () => {
    assert.equal(until(NIGHT, "Asia/Kolkata", "2026-06-01T17:00:00Z"), "2026-06-02T01:30:00.000Z"); // 22:30 IST → 07:00 IST
  });

  test("no time zone means UTC; the wrap rolls over month and year ends", () => {
    const w = { startMinute: 23 * 60, endMinute: 60 };
    assert.equal(until(w, null, "2026-01-31T23:30:00Z"), "2026-02-01T01:00:00.000Z");
    assert.equal(until(w, null, "2026-12-31T23:30:00Z"), "2027-01-01T01:00:00.000Z");
    assert.equal(until(w, null, "2027-01-01T00:30:00Z"), "2027-01-01T01:00:00.000Z");
  });

  test("start === end is an empty window", () => {
    assert.equal(until({ startMinute: 600, endMinute: 600 }, null, "2026-01-01T10:00:00Z"), null);
  });
});

test("HH:MM parsing and formatting", () => {
  assert.equal(parseClockTime("22:00"), 1320);
  assert.equal(parseClockTime("07:05"), 425);
  assert.equal(parseClockTime("00:00"), 0);
  assert.equal(parseClockTime("23:59"), 1439);
  for (const bad of ["24:00", "7:00", "07:60", "0700", "07:00:00", "", " 07:00"]) assert.equal(parseClockTime(bad), null, bad);
  assert.equal(formatClockTime(425), "07:05");
});
