import type { KeyPair, Stack } from "../harness/stack.js";

/**
 * The load generator's side of the API: spreads calls over every API process in turn (what a
 * round-robin load balancer does) and tallies refusals by error code, so a run that loses
 * requests says why instead of only printing a smaller number.
 */
export class LoadClient {
  private next = 0;
  private readonly refused = new Map<string, { count: number; example: string }>();

  constructor(
    private readonly stack: Stack,
    readonly key: KeyPair,
  ) {}

  /** The call's data, or null when it was refused (noted under its error code). */
  async call<T = Record<string, any>>(query: string, variables: Record<string, unknown>): Promise<T | null> {
    const api = this.next++;
    try {
      const res = await this.stack.graphql<T>(this.key, query, variables, { api });
      if (!res.errors) return res.data!;
      this.note(String(res.errors[0]?.extensions?.code ?? res.status), res.errors[0]?.message ?? "");
    } catch (err) {
      // fetch's own message is only "fetch failed"; the cause says what happened to the connection.
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      this.note("client", [(err as Error).message, cause?.code ?? cause?.message].filter(Boolean).join(": "));
    }
    return null;
  }

  note(code: string, message: string, times = 1): void {
    const r = this.refused.get(code) ?? { count: 0, example: message };
    r.count += times;
    this.refused.set(code, r);
  }

  /** Refusals since the last call, as "CODE ×n (example message)". */
  takeRefusals(): { total: number; lines: string[] } {
    const lines = [...this.refused].map(([code, { count, example }]) => `${code} ×${count} (${example})`);
    const total = [...this.refused.values()].reduce((s, r) => s + r.count, 0);
    this.refused.clear();
    return { total, lines };
  }
}
