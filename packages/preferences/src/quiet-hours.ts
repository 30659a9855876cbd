import { instantsOfWallClock, nextDay, wallClockAt } from "./zoned-time.js";

export const MINUTES_PER_DAY = 24 * 60;

/** Minutes after local midnight; the window is [start, end) and wraps midnight when start > end. */
export interface QuietWindow {
  startMinute: number;
  endMinute: number;
}

/** Recipients without a time zone have their quiet hours read in UTC. */
export const DEFAULT_TIME_ZONE = "UTC";

/**
 * If `now` falls inside the recipient's quiet hours, the instant they end (the next local
 * occurrence of the end time, computed in the zone so a DST change that night is honoured);
 * otherwise null. start === end is an empty window.
 */
export function quietUntil(window: QuietWindow, timeZone: string | null | undefined, now: Date): Date | null {
  const { startMinute: start, endMinute: end } = window;
  if (start === end) return null;
  const zone = timeZone || DEFAULT_TIME_ZONE;
  const local = wallClockAt(now, zone);
  const minute = local.hour * 60 + local.minute;
  const wraps = start > end;
  const inside = wraps ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return null;
  // Before midnight in a wrapping window, it ends tomorrow; otherwise later today.
  const { year, month, day } = wraps && minute >= start ? nextDay(local) : local;
  // On the night clocks go back the end time can happen twice; by then the first may be past.
  // Only the date is taken from `local`: its seconds would otherwise move the end off the minute.
  const ends = instantsOfWallClock({ year, month, day, hour: Math.floor(end / 60), minute: end % 60 }, zone);
  return ends.find((t) => t > now) ?? null;
}

/** "HH:MM" (24-hour) → minutes after midnight, or null when malformed. */
export function parseClockTime(value: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

export function formatClockTime(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}
