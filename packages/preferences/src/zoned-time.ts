/**
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl: the zone's offset at an
 * instant comes from Intl.DateTimeFormat, and a local time is turned back into an instant by
 * checking the offsets either side of it, so DST transitions are handled without a library.
 */

export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock time at `instant` in `timeZone`. */
export function wallClockAt(instant: Date, timeZone: string): WallClock & { second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The wall clock read as if it were UTC, in ms; local minus this is the zone's offset. */
function wallAsUtcMs(w: WallClock & { second?: number }): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0);
}

/** Zone offset (local − UTC) in ms at an instant, whole seconds only (sub-second is dropped). */
function offsetMs(instantMs: number, timeZone: string): number {
  const floored = Math.floor(instantMs / 1000) * 1000;
  return wallAsUtcMs(wallClockAt(new Date(floored), timeZone)) - floored;
}

/**
 * The instant a local wall-clock time happens in `timeZone`, with Temporal's "compatible"
 * disambiguation: a time that occurs twice (the hour repeated when clocks go back) is the
 * earlier one, and a time that does not exist (the hour skipped when clocks go forward) is
 * moved forward by the length of the gap, e.g. 02:30 on a New York spring-forward night is 03:30.
 */
export function instantOfWallClock(wall: WallClock, timeZone: string): Date {
  return instantsOfWallClock(wall, timeZone)[0]!;
}

/** Every instant the wall-clock time happens at, earliest first: two in a repeated hour, else one. */
export function instantsOfWallClock(wall: WallClock, timeZone: string): Date[] {
  const local = wallAsUtcMs(wall);
  // Transitions are rare enough that the offsets a day either side cover every candidate.
  const before = offsetMs(local - DAY_MS, timeZone);
  const after = offsetMs(local + DAY_MS, timeZone);
  const candidates = [...new Set([local - before, local - after])].filter((t) => t + offsetMs(t, timeZone) === local).sort((a, b) => a - b);
  // None: it falls in a skipped hour, so read it with the offset in force before the transition.
  return (candidates.length > 0 ? candidates : [local - before]).map((t) => new Date(t));
}

/** The calendar day after the given one (month and year roll over). */
export function nextDay({ year, month, day }: Pick<WallClock, "year" | "month" | "day">): Pick<WallClock, "year" | "month" | "day"> {
  const d = new Date(Date.UTC(year, month - 1, day) + DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
