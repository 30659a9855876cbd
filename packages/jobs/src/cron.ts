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
 * The shortest time between two consecutive fires, over the fires of the next `horizonMs` (at most
 * `maxFires` of them). A cron's time-of-day pattern repeats on every day it fires, so a horizon of
 * a few weeks sees its tightest pair; 6-field expressions that fire every few seconds stop at the
 * first short gap. Used to refuse schedules that would fire too often (e.g. every second).
 */
export function shortestCronInterval(cron: string, timeZone: string, from: Date, { horizonMs = 35 * 86_400_000, maxFires = 2_000, floorMs = 0 } = {}): number {
  let previous = nextCronRun(cron, timeZone, from);
  const iterator = CronExpressionParser.parse(cron.trim(), { currentDate: previous, tz: timeZone });
  const until = previous.getTime() + horizonMs;
  let shortest = Infinity;
  for (let i = 0; i < maxFires && iterator.hasNext(); i++) {
    const next = iterator.next().toDate();
    if (next.getTime() > until) break;
    shortest = Math.min(shortest, next.getTime() - previous.getTime());
    if (shortest < floorMs) break;
    previous = next;
  }
  return shortest;
}
