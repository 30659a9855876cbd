import type { BaseLogger } from "pino";
import type { FaultInjector } from "./faults.js";
import type { Recorder } from "./recorder.js";
import type { ProviderName } from "./recorder.js";

/** What every simulator is given: shared recorder and fault rules (credentials come in its own options). */
export interface SimulatorContext {
  recorder: Recorder;
  faults: FaultInjector;
  /** Where simulators report problems they cannot answer with (e.g. a webhook receiver that is down). */
  logger?: Pick<BaseLogger, "debug" | "info" | "warn" | "error">;
}

/** A request to a simulator's own part of the control API, `/<provider>/...` on the control port. */
export interface ControlRequest {
  method: string;
  /** Path below `/<provider>`, e.g. `/webhooks`. */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body, undefined when there was none. */
  body: unknown;
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

/** A running simulator. */
export interface RunningSimulator {
  provider: ProviderName;
  /** Base URL the official SDK should be pointed at, e.g. http://127.0.0.1:4011. */
  url: string;
  port: number;
  close(): Promise<void>;
  /**
   * Handles `/<provider>/...` on the control port, for provider-specific controls such as
   * triggering Postmark webhooks. Resolves undefined for paths it does not know (→ 404).
   */
  control?(req: ControlRequest): Promise<ControlResponse | undefined>;
}
