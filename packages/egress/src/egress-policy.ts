import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { Duplex } from "node:stream";
import { Agent as UndiciAgent, buildConnector, type Dispatcher } from "undici";
import { addressRange, ipLiteral } from "./address-ranges.js";

/** Why a destination is refused; stable codes callers can show or store. */
export type EgressRefusalReason =
  | "MALFORMED_URL"
  | "PROTOCOL_NOT_ALLOWED"
  | "CREDENTIALS_IN_URL"
  | "HOST_NOT_ALLOWED"
  | "PORT_NOT_ALLOWED"
  /** The host is, or resolves to, an address that is not on the public Internet. */
  | "ADDRESS_NOT_ALLOWED";

export const EGRESS_REFUSED = "EGRESS_REFUSED";

/**
 * A connection the policy did not let happen. Its message names the rule, never anything the
 * network said, so it is safe to store and show (a refused destination is not a port scanner).
 */
export class EgressRefusedError extends Error {
  readonly code = EGRESS_REFUSED;
  constructor(
    readonly reason: EgressRefusalReason,
    message: string,
  ) {
    super(message);
    this.name = "EgressRefusedError";
  }
}

/** True for an EgressRefusedError, also one from another copy of this package. */
export const isEgressRefusal = (err: unknown): err is EgressRefusedError =>
  typeof err === "object" && err !== null && (err as { code?: unknown }).code === EGRESS_REFUSED;

/** An exact host and port, e.g. the sandbox's Web Push simulator at 127.0.0.1:4015. */
export interface EgressOrigin {
  host: string;
  port: number;
}

export interface EgressPolicyOptions {
  /**
   * Host names a destination may have: exact ("fcm.googleapis.com") or "*.notify.windows.com"
   * for any subdomain (not the domain itself). Unset: any host whose addresses are public.
   */
  allowedHosts?: readonly string[];
  /** URL schemes checkDestination accepts; https only by default. */
  protocols?: readonly ("https:" | "http:")[];
  /** Ports allowed (the scheme's default port counts as written); any port when unset. */
  ports?: readonly number[];
  /**
   * Destinations reached even though their address is not public, matched on exact host and
   * port: the sandbox's own simulators, in sandbox mode only. Nothing else gets past the range
   * check, whatever name it has.
   */
  trustedOrigins?: readonly EgressOrigin[];
  /** Resolves host names; dns.lookup by default (tests pass one that answers 127.0.0.1). */
  lookup?: LookupFunction;
}

export type DestinationCheck = { ok: true; url: URL } | { ok: false; reason: EgressRefusalReason; message: string };

const DEFAULT_PORT: Record<string, number> = { "https:": 443, "http:": 80 };

/**
 * The one gate for outbound connections to addresses users gave us (Web Push endpoints today;
 * webhook URLs and app-configured SMTP hosts next). Two checks, because either alone leaks:
 *
 * - `checkDestination(url)` when the address is accepted, so a bad one is refused with a reason
 *   the caller can answer (BAD_USER_INPUT) and never stored;
 * - at connect time, through `httpsAgent()` / `httpAgent()` / `dispatcher()` / `connectOptions()`,
 *   the address the name actually resolved to is checked before the socket opens. A name that
 *   resolved to a public address when it was accepted may resolve to 127.0.0.1 when it is used
 *   (DNS rebinding), so the acceptance check alone proves nothing.
 */
export class EgressPolicy {
  private readonly exactHosts: Set<string>;
  private readonly suffixes: string[];
  private readonly protocols: readonly string[];
  private readonly ports?: ReadonlySet<number>;
  private readonly trusted: ReadonlySet<string>;
  private readonly resolve: LookupFunction;

  constructor(private readonly options: EgressPolicyOptions = {}) {
    const hosts = (options.allowedHosts ?? []).map((h) => h.toLowerCase());
    this.exactHosts = new Set(hosts.filter((h) => !h.startsWith("*.")));
    this.suffixes = hosts.filter((h) => h.startsWith("*.")).map((h) => h.slice(1));
    this.protocols = options.protocols ?? ["https:"];
    this.ports = options.ports ? new Set(options.ports) : undefined;
    this.trusted = new Set((options.trustedOrigins ?? []).map((o) => originKey(o.host, o.port)));
    this.resolve = options.lookup ?? (dnsLookup as LookupFunction);
  }

  /** Whether a URL may be stored as a destination. Does not resolve it: see the class comment. */
  checkDestination(raw: string | URL): DestinationCheck {
    let url: URL;
    try {
      url = typeof raw === "string" ? new URL(raw) : raw;
    } catch {
      return refuse("MALFORMED_URL", "not a URL");
    }
    if (!this.protocols.includes(url.protocol)) return refuse("PROTOCOL_NOT_ALLOWED", `the URL must use ${this.protocols.map((p) => p.slice(0, -1)).join(" or ")}`);
    if (url.username || url.password) return refuse("CREDENTIALS_IN_URL", "the URL must not carry a user name or password");
    const port = url.port ? Number(url.port) : DEFAULT_PORT[url.protocol]!;
    try {
      this.connectionGuard(url.hostname, port);
    } catch (err) {
      if (isEgressRefusal(err)) return refuse(err.reason, err.message);
      throw err;
    }
    return { ok: true, url };
  }

  /** checkDestination, throwing EgressRefusedError. */
  assertDestination(raw: string | URL): URL {
    const check = this.checkDestination(raw);
    if (!check.ok) throw new EgressRefusedError(check.reason, check.message);
    return check.url;
  }

  /**
   * What to add to net/tls.connect options to reach host:port under this policy, or an
   * EgressRefusedError. For clients that take socket options (nodemailer, raw sockets).
   */
  connectOptions(host: string, port: number): { lookup?: LookupFunction } {
    return this.connectionGuard(host, port);
  }

  /** An https.Agent whose every connection passes the policy (web-push, node:https clients). */
  httpsAgent(options: https.AgentOptions = {}): https.Agent {
    const guard = this.connectionGuard.bind(this);
    return new (class extends https.Agent {
      override createConnection(opts: https.RequestOptions, callback?: ConnectCallback) {
        return guardedCreate(guard, opts, 443, callback, (o, cb) => super.createConnection(o, cb));
      }
    })(options);
  }

  /** The same for plain http (webhook URLs where an app allows http). */
  httpAgent(options: http.AgentOptions = {}): http.Agent {
    const guard = this.connectionGuard.bind(this);
    return new (class extends http.Agent {
      override createConnection(opts: http.ClientRequestArgs, callback?: ConnectCallback) {
        return guardedCreate(guard, opts, 80, callback, (o, cb) => super.createConnection(o, cb));
      }
    })(options);
  }

  /** An undici dispatcher (fetch's `dispatcher`) whose every connection passes the policy. */
  dispatcher(options: Omit<UndiciAgent.Options, "connect"> & { connect?: buildConnector.BuildOptions } = {}): Dispatcher {
    const { connect: connectOptions = {}, ...agentOptions } = options;
    const guarded = buildConnector({ ...connectOptions, lookup: this.guardedLookup });
    const plain = buildConnector(connectOptions);
    return new UndiciAgent({
      ...agentOptions,
      connect: (opts, callback) => {
        let extra: { lookup?: LookupFunction };
        try {
          extra = this.connectionGuard(opts.hostname, Number(opts.port || DEFAULT_PORT[opts.protocol] || 443));
        } catch (err) {
          callback(err as Error, null);
          return;
        }
        (extra.lookup ? guarded : plain)(opts, callback);
      },
    });
  }

  /**
   * The decision for one connection: trusted origins pass as they are; otherwise the host must
   * be allowed, a literal IP must be public, and a name gets a lookup that refuses non-public
   * answers (node:net skips the lookup for literal IPs, hence their own check).
   */
  private connectionGuard(rawHost: string, port: number): { lookup?: LookupFunction } {
    const host = rawHost.toLowerCase().replace(/\.$/, "");
    if (this.trusted.has(originKey(host, port))) return {};
    if (!this.hostAllowed(host)) throw new EgressRefusedError("HOST_NOT_ALLOWED", `${host} is not an allowed destination`);
    if (this.ports && !this.ports.has(port)) throw new EgressRefusedError("PORT_NOT_ALLOWED", `port ${port} is not an allowed destination port`);
    const literal = ipLiteral(host);
    if (literal !== undefined) {
      if (addressRange(literal) !== "unicast") throw new EgressRefusedError("ADDRESS_NOT_ALLOWED", `${host} is not a public address`);
      return {};
    }
    return { lookup: this.guardedLookup };
  }

  private hostAllowed(host: string): boolean {
    if (!this.options.allowedHosts) return true;
    return this.exactHosts.has(host) || this.suffixes.some((s) => host.endsWith(s) && host.length > s.length);
  }

  /**
   * Resolves every address of the name and refuses the connection when any one is not public
   * (rather than picking a public one: a name that also answers 127.0.0.1 is not a destination).
   * Answers in the shape the caller asked for; node:net asks for all with autoSelectFamily.
   */
  readonly guardedLookup: LookupFunction = (hostname, options, callback) => {
    const wantAll = (options as LookupAllOptions).all === true;
    this.resolve(hostname, { ...(options as LookupOneOptions), all: true } as LookupAllOptions, ((err: NodeJS.ErrnoException | null, addresses: LookupAddress[] | string) => {
      if (err) return callback(err, "", 0);
      const list = Array.isArray(addresses) ? addresses : [{ address: addresses, family: addresses.includes(":") ? 6 : 4 }];
      const bad = list.find((a) => addressRange(a.address) !== "unicast");
      if (bad || list.length === 0) {
        return callback(new EgressRefusedError("ADDRESS_NOT_ALLOWED", `${hostname} resolves to an address that is not public`) as unknown as NodeJS.ErrnoException, "", 0);
      }
      if (wantAll) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    }) as never);
  };
}

function refuse(reason: EgressRefusalReason, message: string): DestinationCheck {
  return { ok: false, reason, message };
}

const originKey = (host: string, port: number) => `${host.toLowerCase().replace(/^\[(.*)\]$/, "$1")}:${port}`;

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

function guardedCreate<O extends { hostname?: string | null; host?: string | null; port?: number | string | null }>(
  guard: (host: string, port: number) => { lookup?: LookupFunction },
  opts: O,
  defaultPort: number,
  callback: ConnectCallback | undefined,
  create: (opts: O, callback?: ConnectCallback) => Duplex | null | undefined,
): Duplex | null | undefined {
  let extra: { lookup?: LookupFunction };
  try {
    extra = guard(String(opts.hostname ?? opts.host ?? "localhost"), Number(opts.port || defaultPort));
  } catch (err) {
    // Agent.createSocket treats a callback error like a failed connect: the request emits it.
    callback?.(err as Error, undefined as unknown as Duplex);
    return undefined;
  }
  return create({ ...opts, ...extra }, callback);
}
