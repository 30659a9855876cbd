import { startControlServer } from "./control.js";
import type { SandboxCredentials } from "./credentials.js";
import { FaultInjector } from "./core/faults.js";
import { Recorder, type ProviderName } from "./core/recorder.js";
import type { RunningSimulator, SimulatorContext } from "./core/simulator.js";
import { startApnsSimulator } from "./simulators/apns.js";
import { startFcmSimulator } from "./simulators/fcm.js";
import { startPostmarkSimulator } from "./simulators/postmark.js";
import { startTwilioSimulator } from "./simulators/twilio.js";
import { startWebPushSimulator } from "./simulators/webpush.js";

export interface SandboxOptions {
  /** Interface every server listens on; 127.0.0.1 by default. */
  host?: string;
  /** Port per server; 0 or absent = a random free port. */
  ports?: Partial<Record<"control" | ProviderName, number>>;
  credentials: SandboxCredentials;
  /** Where the Postmark simulator sends Delivery/Bounce/... webhooks. */
  postmarkWebhookUrl?: string;
  /** Bearer token the control API requires (see ControlServerOptions.token). */
  controlToken: string;
  logger?: SimulatorContext["logger"];
}

interface SimulatorSpec {
  provider: ProviderName;
  start(ctx: SimulatorContext, base: { host: string; port: number; credentials: SandboxCredentials }, opts: SandboxOptions): Promise<RunningSimulator>;
}

/** Every simulator the sandbox runs; adding a provider is one entry here. */
const SIMULATORS = [
  { provider: "postmark", start: (ctx, base, opts) => startPostmarkSimulator(ctx, { ...base, webhookUrl: opts.postmarkWebhookUrl }) },
  { provider: "twilio", start: (ctx, base) => startTwilioSimulator(ctx, base) },
  { provider: "apns", start: (ctx, base) => startApnsSimulator(ctx, base) },
  { provider: "fcm", start: (ctx, base) => startFcmSimulator(ctx, base) },
  { provider: "webpush", start: (ctx, base) => startWebPushSimulator(ctx, base) },
] as const satisfies readonly SimulatorSpec[];

/** The providers this build simulates (all of ProviderName once every simulator is listed). */
export type SandboxProvider = (typeof SIMULATORS)[number]["provider"];

export interface Sandbox {
  urls: Record<"control" | SandboxProvider, string>;
  recorder: Recorder;
  faults: FaultInjector;
  credentials: SandboxCredentials;
  /** What callers of the control API send as `Authorization: Bearer …`. */
  controlToken: string;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const host = opts.host ?? "127.0.0.1";
  const ctx: SimulatorContext = { recorder: new Recorder(), faults: new FaultInjector(), logger: opts.logger };
  const running: RunningSimulator[] = [];
  const closeAll = async () => {
    await Promise.allSettled(running.map((s) => s.close()));
  };
  try {
    for (const spec of SIMULATORS) {
      const base = { host, port: opts.ports?.[spec.provider] ?? 0, credentials: opts.credentials };
      running.push(await spec.start(ctx, base, opts));
    }
    const control = await startControlServer({
      host,
      port: opts.ports?.control ?? 0,
      recorder: ctx.recorder,
      faults: ctx.faults,
      simulators: running,
      token: opts.controlToken,
      logger: opts.logger,
    });
    const urls = Object.fromEntries([["control", control.url], ...running.map((s) => [s.provider, s.url])]) as Sandbox["urls"];
    return {
      urls,
      recorder: ctx.recorder,
      faults: ctx.faults,
      credentials: opts.credentials,
      controlToken: opts.controlToken,
      async close() {
        await control.close();
        await closeAll();
      },
    };
  } catch (err) {
    // e.g. a port in use: do not leave the simulators that did start listening.
    await closeAll();
    throw err;
  }
}
