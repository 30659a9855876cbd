import { CronExpressionParser } from "cron-parser";

/** Why a cron expression or time zone was refused; the API turns it into a typed input error. */
export class CronError extends Error {
  constructor(
    readonly reason: "INVALID_CRON" | "INVALID_TIMEZONE",
    message: string,
  ) {
    super(message);
  }
}

// cron-parser reads "" as "* * * * *"; only 5 fields (minute first), 6 (second first) or an alias are accepted.
const SHAPE = /^(@\w+|(\S+\s+){4,5}\S+)$/;

/**
 * The first time the expression fires strictly after `after`, read in `timeZone` (so "0 9 * * *"
 * is 09:00 local, and DST changes move the UTC instant). Throws CronError for a malformed
 * expression, an unknown zone or an expression that never fires.
 */
export function nextCronRun(cron: string, timeZone: string, after: Date): Date {
  assertTimeZone(timeZone);
  const expression = cron.trim();
  if (!SHAPE.test(expression)) throw new CronError("INVALID_CRON", `cron ${JSON.stringify(cron)} needs 5 fields (minute hour day month weekday) or 6 (second first)`);
  try {
    return CronExpressionParser.parse(expression, { currentDate: after, tz: timeZone }).next().toDate();
  } catch (err) {
    throw new CronError("INVALID_CRON", `cron ${JSON.stringify(cron)} is not valid: ${(err as Error).message}`);
  }
}

function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    throw new CronError("INVALID_TIMEZONE", `timezone ${JSON.stringify(timeZone)} is not an IANA time zone`);
  }
}

/**
 * The shortest wall-clock time between two consecutive fires, in ms, computed from the fields
 * (not by stepping through fires, which costs ~0.5 ms each in a time zone): the times of day are
 * seconds × minutes × hours, the same on every day it fires, and two matching days may be
 * consecutive, so the gap from the day's last fire to the next day's first counts too. Used to
 * refuse schedules that would fire too often (e.g. every second). A DST change only shortens a
 * gap that spans the skipped hour, by that hour; an expression firing at most once per clock hour
 * still never fires twice within a real hour.
 */
export function shortestCronInterval(cron: string, timeZone: string): number {
  nextCronRun(cron, timeZone, new Date()); // the same checks and CronErrors as a schedule's first run
  const { second, minute, hour } = CronExpressionParser.parse(cron.trim(), { tz: timeZone }).fields;
  const times: number[] = [];
  for (const h of hour.values) for (const m of minute.values) for (const s of second.values) times.push((h * 60 + m) * 60 + Number(s));
  times.sort((a, b) => a - b);
  let shortest = times[0]! + 86_400 - times[times.length - 1]!;
  for (let i = 1; i < times.length; i++) shortest = Math.min(shortest, times[i]! - times[i - 1]!);
  return shortest * 1000;
}
