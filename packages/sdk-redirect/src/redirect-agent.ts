import https from "node:https";
import type { Duplex } from "node:stream";
import tls from "node:tls";

export interface RedirectTarget {
  /** Simulator base URL, e.g. https://127.0.0.1:4014. */
  url: string;
  /** PEM of the sandbox CA that signed the simulator's certificate. */
  ca: string;
}

/**
 * An https.Agent for SDKs with hard-coded hosts (firebase-admin, google-auth-library): connections
 * for `hosts` go to the simulator instead, trusting only the sandbox CA. SNI and certificate
 * checks keep the original host name, which the sandbox certificate lists, so nothing in the SDK
 * has to be told it is talking to a simulator. Other hosts connect normally.
 */
export function createRedirectAgent(target: RedirectTarget & { hosts: readonly string[] }): https.Agent {
  const to = new URL(target.url);
  const port = Number(to.port || 443);
  const hosts = new Set(target.hosts);
  return new (class extends https.Agent {
    override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void) {
      const host = options.hostname ?? options.host ?? "";
      if (!hosts.has(host)) return super.createConnection(options, callback);
      const { servername } = options as tls.ConnectionOptions;
      return tls.connect({
        ...(options as tls.ConnectionOptions),
        host: to.hostname,
        port,
        servername: servername || host,
        ca: target.ca,
      });
    }
  })({ keepAlive: true });
}
