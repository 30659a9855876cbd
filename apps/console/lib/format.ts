/** "2026-11-25 09:31:02 UTC": support staff compare times with logs, which are in UTC. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "2026-11-25": the UTC date. */
export function formatDate(iso: string | null | undefined): string {
  return formatTime(iso).slice(0, 10);
}

/** "09:31:02": the time of day in UTC, for tables whose heading says so. */
export function formatClock(iso: string | null | undefined): string {
  return formatTime(iso).slice(11, 19) || "—";
}

/** Long tokens and endpoints, shortened for a table cell (the full value goes in a title). */
export function shorten(value: string, keep = 28): string {
  return value.length <= keep * 2 + 1 ? value : `${value.slice(0, keep)}…${value.slice(-keep / 2)}`;
}
