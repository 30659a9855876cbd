import type { Logger } from "pino";

/**
 * How long a write that records a hand-off keeps being retried. Shorter than the sweeper's
 * SENDING timeout, so a worker that is still trying never races the sweeper's recovery.
 */
export const DURABLE_WRITE_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Retries `write` through a Postgres restart or failover. Used for what a worker writes after
 * a provider may have accepted a message: giving up there leaves the notification SENDING, and
 * the sweeper must then treat it as possibly unsent and send it again. The writes it wraps are
 * fenced updates, safe to repeat.
 */
export async function durably<T>(log: Logger | undefined, what: string, write: () => Promise<T>, forMs = DURABLE_WRITE_MS): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await write();
    } catch (err) {
      if (Date.now() + delay > deadline) throw err;
      log?.warn({ err: (err as Error).message }, `${what} failed; retrying`);
      await sleep(delay);
    }
  }
}
