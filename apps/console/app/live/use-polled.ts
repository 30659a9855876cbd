"use client";

import { useEffect, useState } from "react";

export interface Polled<T> {
  data?: T;
  error?: string;
  /** When the last successful answer arrived. */
  at?: Date;
}

/**
 * GETs a console route every `intervalMs`, never overlapping (a slow answer delays the next
 * request rather than piling them up). A failure keeps the last data and says why.
 */
export function usePolled<T>(url: string, intervalMs: number): Polled<T> {
  const [state, setState] = useState<Polled<T>>({});
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function tick() {
      try {
        const res = await fetch(url, { cache: "no-store" });
        const body = (await res.json()) as T | { error: string; code?: string };
        if (stopped) return;
        if (!res.ok) {
          const { error, code } = body as { error?: string; code?: string };
          setState((s) => ({ ...s, error: `${error ?? `HTTP ${res.status}`}${code ? ` (${code})` : ""}` }));
        } else setState({ data: body as T, at: new Date() });
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, error: (err as Error).message }));
      }
      if (!stopped) timer = setTimeout(tick, intervalMs);
    }
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [url, intervalMs]);
  return state;
}
