export { startSandbox, type Sandbox, type SandboxOptions, type SandboxProvider } from "./sandbox.js";
export {
  createSandboxCredentials,
  ensureSandboxCredentials,
  readSandboxCredentials,
  TLS_DNS_NAMES,
  TLS_IPS,
  type SandboxCredentials,
} from "./credentials.js";
export { Recorder, type ProviderName, type RecordedRequest, type RecordFilter } from "./core/recorder.js";
export { FaultInjector, type FaultKind, type FaultRule, type NewFaultRule } from "./core/faults.js";
export type { RunningSimulator, SimulatorContext } from "./core/simulator.js";
export { twilioSignature } from "./simulators/twilio-signature.js";
export { smsSegments, type SmsSegmentation } from "./simulators/sms-segments.js";
