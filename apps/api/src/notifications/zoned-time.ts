/**
 * Turns a wall-clock time in an IANA zone into an instant with nothing but Intl (the zone's offset
 * at an instant comes from Intl.DateTimeFormat).
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

/** The zone's offset (local − UTC) in ms at an instant on a whole second. */
function offsetAt(instantMs: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instantMs))) if (part.type !== "literal") p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - instantMs;
}

/**
 * The instant `wall` happens in `timeZone`. A time that happens twice (the hour repeated when
 * clocks go back) is the earlier one. A time that never happens (the hour skipped when clocks go
 * forward) becomes the next minute that does exist, i.e. the moment of the transition: 02:30 on
 * a New York spring-forward night is 03:00 EDT. (Temporal's "compatible" would give 03:30; for
 * "remind me at 02:30" the earliest valid time is the less surprising answer.)
 */
export function instantOfWallClock(wall: WallClock, timeZone: string): Date {
  const local = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  // Transitions are rare enough that the offsets a day either side cover every candidate.
  const before = offsetAt(local - DAY_MS, timeZone);
  const after = offsetAt(local + DAY_MS, timeZone);
  const exact = [local - before, local - after].filter((t) => t + offsetAt(t, timeZone) === local).sort((a, b) => a - b);
  if (exact.length) return new Date(exact[0]!);
  // In a gap: local − after is still before the transition, local − before already after it.
  // Binary search, minute by minute, for the first instant carrying the new offset.
  let lo = local - after;
  let hi = local - before;
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (offsetAt(mid, timeZone) === after) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}
