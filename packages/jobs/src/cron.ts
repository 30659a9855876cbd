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
