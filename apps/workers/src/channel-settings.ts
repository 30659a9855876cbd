import { QUEUED_CHANNELS, type QueuedChannel } from "@notify/jobs";

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "500ms", "30s", "5m", "6h", "1d" (a bare number is milliseconds) → milliseconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  return m ? Number(m[1]) * UNITS[(m[2] ?? "ms") as keyof typeof UNITS] : undefined;
}

/**
 * Parses a per-channel setting such as `SMS=5/1d,EMAIL=50/1h` (variable `name`, for messages):
 * `parse` turns each value into the setting or returns undefined when it is malformed.
 */
export function parseChannelList<T>(name: string, spec: string | undefined, example: string, parse: (value: string) => T | undefined): Partial<Record<QueuedChannel, T>> {
  const out: Partial<Record<QueuedChannel, T>> = {};
  for (const part of (spec ?? "").split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const channel = part.slice(0, eq).trim() as QueuedChannel;
    const value = eq > 0 ? parse(part.slice(eq + 1).trim()) : undefined;
    if (value === undefined) throw new Error(`${name}: "${part}" is not CHANNEL=${example.split("=")[1]} (e.g. ${example})`);
    if (!QUEUED_CHANNELS.includes(channel)) throw new Error(`${name}: unknown channel ${channel}; known: ${QUEUED_CHANNELS.join(", ")}`);
    out[channel] = value;
  }
  return out;
}

/** "5/1d" → { max: 5, windowMs: 86400000 }. */
export function parseCountPerDuration(value: string): { max: number; windowMs: number } | undefined {
  const [count, duration] = value.split("/");
  const max = Number(count);
  const windowMs = duration === undefined ? undefined : parseDuration(duration);
  return Number.isInteger(max) && max > 0 && windowMs ? { max, windowMs } : undefined;
}
