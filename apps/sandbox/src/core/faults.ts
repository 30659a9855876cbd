import { randomUUID } from "node:crypto";
import type { ProviderName } from "./recorder.js";

/**
 * Provider-neutral fault kinds; each simulator answers them the way its real provider does
 * (e.g. invalid_target is APNs 410 Unregistered, FCM UNREGISTERED, Twilio 21211, Postmark 406).
 */
export type FaultKind =
  | "rate_limit" // 429 + Retry-After
  | "server_error" // 500
  | "unavailable" // 503
  | "timeout" // hold the request open for delayMs, then drop it
  | "invalid_target" // the provider's "this token/number/address is dead" answer
  | "bad_request" // the provider's "malformed token/number/address" answer
  | "auth"; // the provider's answer to bad credentials

export interface FaultRule {
  id: string;
  provider: ProviderName;
  kind: FaultKind;
  /** Only requests for this target; all requests when absent. */
  target?: string;
  /** Number of requests it still applies to; unlimited when absent. */
  remaining?: number;
  retryAfterSeconds?: number;
  /** timeout: how long to hold the request before destroying the socket. */
  delayMs?: number;
}

export type NewFaultRule = Omit<FaultRule, "id">;

/** Fault rules set through the control API; the first matching rule wins and is used up. */
export class FaultInjector {
  private readonly latencies = new Map<ProviderName, number>();

  /**
   * Makes a provider answer every request after `ms` (benchmarks model a real provider's
   * round trip, e.g. 50 ms, so worker concurrency matters as it does in production).
   */
  setLatency(provider: ProviderName, ms: number): void {
    if (ms > 0) this.latencies.set(provider, ms);
    else this.latencies.delete(provider);
  }

  /** Waits out the provider's configured latency, if any. */
  async delay(provider: ProviderName): Promise<void> {
    const ms = this.latencies.get(provider);
    if (ms) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private rules: FaultRule[] = [];

  add(rule: NewFaultRule): FaultRule {
    const full = { id: randomUUID(), ...rule };
    this.rules.push(full);
    return full;
  }

  /** Returns the fault to apply to this request, if any, consuming one use of it. */
  take(provider: ProviderName, target?: string): FaultRule | undefined {
    const rule = this.rules.find(
      (r) => r.provider === provider && (r.target === undefined || r.target === target) && r.remaining !== 0,
    );
    if (!rule) return undefined;
    if (rule.remaining !== undefined) {
      rule.remaining -= 1;
      if (rule.remaining === 0) this.rules = this.rules.filter((r) => r !== rule);
    }
    return rule;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  clear(provider?: ProviderName): void {
    this.rules = provider ? this.rules.filter((r) => r.provider !== provider) : [];
  }
}
