import { randomUUID } from "node:crypto";
import { RetryableProviderError } from "./errors.js";
import type { Provider, ProviderReceipt, SendOutcome } from "./provider.js";

export interface BatchingOptions {
  /** How long the first message of a batch waits for others to join it. */
  waitMs: number;
  /** The most messages per provider call; the provider's own limit when lower. */
  maxSize?: number;
}

type BatchCapable<M> = Provider<M> & Required<Pick<Provider<M>, "sendBatch">>;

interface Waiting<M> {
  message: M;
  resolve: (receipt: ProviderReceipt) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers the sends that a channel worker's concurrent jobs make within `waitMs` (at most
 * `maxSize`) into one call of the provider's sendBatch. Each caller still gets its own receipt
 * or its own error, so deliver() cannot tell a batched send from a single one: the claim fence,
 * the attempt row written before the call, and the retry / permanent / dead-target decision per
 * message all work exactly as for single sends. A message alone when the wait ends goes through
 * the provider's plain send().
 *
 * A batched receipt's detail says which call it shared (`batch: { id, size }`), which the SENT
 * event keeps.
 */
export class BatchingProvider<M> implements Provider<M> {
  readonly name: string;
  private readonly maxSize: number;
  private waiting: Waiting<M>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly inner: BatchCapable<M>,
    private readonly options: BatchingOptions,
  ) {
    this.name = inner.name;
    this.maxSize = Math.max(1, Math.min(options.maxSize ?? Infinity, inner.maxBatchSize ?? Infinity));
  }

  /** Wraps a provider that can batch; returns the others (and any when batching is off) unchanged. */
  static wrap<M>(provider: Provider<M>, options: BatchingOptions | undefined): Provider<M> {
    if (!options || options.waitMs <= 0 || !provider.sendBatch) return provider;
    return new BatchingProvider(provider as BatchCapable<M>, options);
  }

  send(message: M): Promise<ProviderReceipt> {
    return new Promise<ProviderReceipt>((resolve, reject) => {
      this.waiting.push({ message, resolve, reject });
      if (this.waiting.length >= this.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.waitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 1) {
      const [only] = batch;
      this.inner.send(only!.message).then(only!.resolve, only!.reject);
    } else if (batch.length > 1) {
      void this.sendTogether(batch);
    }
  }

  private async sendTogether(batch: Waiting<M>[]): Promise<void> {
    let outcomes: SendOutcome[];
    try {
      outcomes = await this.inner.sendBatch(batch.map((w) => w.message));
      if (outcomes.length !== batch.length) {
        throw new RetryableProviderError(`${this.name} answered a batch of ${batch.length} with ${outcomes.length} results`, "batch-mismatch");
      }
    } catch (err) {
      // The whole call failed (429, 5xx, timeout, auth): every message shares that outcome.
      for (const w of batch) w.reject(err);
      return;
    }
    const info = { id: randomUUID(), size: batch.length };
    batch.forEach((w, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) w.resolve({ ...outcome.receipt, detail: { ...outcome.receipt.detail, batch: info } });
      else w.reject(outcome.error);
    });
  }

}
