import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type Db } from "@notify/db";
import { createSandboxCredentials, startSandbox, type Sandbox } from "@notify/sandbox";
import { createTestDatabase, leaseRedisDatabase } from "./databases.js";
import { freePort, ROOT, startProcess, waitReady, type ServiceProcess } from "./processes.js";

export interface KeyPair {
  appId: string;
  appKey: string;
  appSecret: string;
}

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, any> }[];
  status: number;
}

/**
 * The real platform for one test suite: its own Postgres database and Redis db, the provider
 * simulators in-process, and the API and workers as real processes talking to them.
 */
export class Stack {
  private workerProcs: ServiceProcess[] = [];

  private constructor(
    readonly db: Db,
    readonly sandbox: Sandbox,
    /** Every API process's base URL, in start order; apiUrl is the first. */
    readonly apiUrls: readonly string[],
    private readonly apiProcs: ServiceProcess[],
    private readonly env: Record<string, string>,
    private readonly cleanup: (() => Promise<void>)[],
  ) {}

  /** The first API process: the one providers' webhooks and PUBLIC_API_URL point at. */
  get apiUrl(): string {
    return this.apiUrls[0]!;
  }

  /**
   * workers: worker processes to start now. env: extra environment for the API and workers
   * (e.g. DELIVERY_BACKOFF_BASE_MS=50 to make retries fast). databaseUrl / redisUrl: use these
   * (e.g. private servers a chaos test restarts) instead of a fresh database and Redis db leased
   * on the shared servers; the stack then leaves them as they are when it stops.
   * apis: API processes, each on its own port, all on the same Postgres and Redis (as behind a
   * load balancer); callers spread requests with graphql(…, { api: i }) or apiUrls.
   */
  static async start({
    workers = 1,
    apis = 1,
    env: extraEnv = {},
    databaseUrl,
    redisUrl,
  }: { workers?: number; apis?: number; env?: Record<string, string>; databaseUrl?: string; redisUrl?: string } = {}): Promise<Stack> {
    if (!Number.isInteger(apis) || apis < 1) throw new Error(`apis must be a positive integer, got ${apis}`);
    const database = databaseUrl ? { url: databaseUrl, drop: async () => undefined } : await createTestDatabase();
    const redis = redisUrl ? { url: redisUrl, release: async () => undefined } : await leaseRedisDatabase();
    const credentials = await createSandboxCredentials();
    const dir = mkdtempSync(join(tmpdir(), "notify-e2e-"));
    const credentialsFile = join(dir, "sandbox-credentials.json");
    writeFileSync(credentialsFile, JSON.stringify(credentials));
    const apiPorts: number[] = [];
    for (let i = 0; i < apis; i++) apiPorts.push(await freePort());
    const apiPort = apiPorts[0]!;
    const sandbox = await startSandbox({
      credentials,
      ports: { control: 0, postmark: 0, twilio: 0, apns: 0, fcm: 0, webpush: 0 },
      // The sandbox's Postmark posts delivery/bounce webhooks to the API, as Postmark would.
      postmarkWebhookUrl: `http://127.0.0.1:${apiPort}/webhooks/postmark`,
      controlToken: randomBytes(24).toString("base64url"),
    });
    const port = (name: keyof Sandbox["urls"]) => new URL(sandbox.urls[name]).port;
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      API_PORT: String(apiPort),
      PUBLIC_API_URL: `http://127.0.0.1:${apiPort}`,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      SANDBOX_CREDENTIALS_FILE: credentialsFile,
      SANDBOX_POSTMARK_PORT: port("postmark"),
      SANDBOX_TWILIO_PORT: port("twilio"),
      SANDBOX_APNS_PORT: port("apns"),
      SANDBOX_FCM_PORT: port("fcm"),
      SANDBOX_WEBPUSH_PORT: port("webpush"),
      DB_POOL_SIZE: "5",
      // What start.mjs generates per install; API and workers must share it.
      UNSUBSCRIBE_SECRET: randomBytes(32).toString("base64url"),
      // The console's signed identity for the signed-in user (the same value goes to startConsole).
      CONSOLE_IDENTITY_SECRET: randomBytes(32).toString("hex"),
      // Recipient tokens one API process signs must verify on the others.
      APP_TOKEN_SECRET: randomBytes(32).toString("hex"),
      ...extraEnv,
    };
    // The first keeps the name "api"; PUBLIC_API_URL (provider callbacks) stays on it.
    const apiProcs = apiPorts.map((port, i) => startProcess(i === 0 ? "api" : `api-${i}`, "apps/api/dist/main.js", { ...env, API_PORT: String(port) }));
    const db = createDb({ url: database.url, max: 3 });
    const stack = new Stack(
      db,
      sandbox,
      apiPorts.map((port) => `http://127.0.0.1:${port}`),
      apiProcs,
      env,
      [() => sandbox.close(), () => db.$disconnect(), () => database.drop(), () => redis.release()],
    );
    try {
      for (const [i, proc] of apiProcs.entries()) await waitReady(`${stack.apiUrls[i]}/ready`, proc);
      for (let i = 0; i < workers; i++) await stack.startWorker();
    } catch (err) {
      // Nobody else holds the stack yet: stop what did start rather than leave it running.
      await stack.stop();
      throw err;
    }
    return stack;
  }

  /** readyTimeoutMs: how long it may take to answer /ready; a worker that does not is killed, not left running. */
  async startWorker(extraEnv: Record<string, string> = {}, { readyTimeoutMs = 30_000 }: { readyTimeoutMs?: number } = {}): Promise<ServiceProcess> {
    const healthPort = await freePort();
    const proc = startProcess(`workers-${this.workerProcs.length}`, "apps/workers/dist/main.js", {
      ...this.env,
      WORKER_HEALTH_PORT: String(healthPort),
      ...extraEnv,
    });
    proc.healthUrl = `http://127.0.0.1:${healthPort}`;
    this.workerProcs.push(proc);
    try {
      await waitReady(`${proc.healthUrl}/ready`, proc, readyTimeoutMs);
    } catch (err) {
      await proc.stop("SIGKILL");
      throw err;
    }
    return proc;
  }

  get workers(): readonly ServiceProcess[] {
    return this.workerProcs;
  }

  get apis(): readonly ServiceProcess[] {
    return this.apiProcs;
  }

  /** Every API and worker process started so far (for memory readings and kills). */
  processes(): ServiceProcess[] {
    return [...this.apiProcs, ...this.workerProcs];
  }

  get databaseUrl(): string {
    return this.env.DATABASE_URL!;
  }

  /** Verifies X-Console-Identity in the API; a console started for this stack signs with it. */
  get consoleIdentitySecret(): string {
    return this.env.CONSOLE_IDENTITY_SECRET!;
  }

  get redisUrl(): string {
    return this.env.REDIS_URL!;
  }

  /** Creates an app and its key pair through the real CLI. */
  createKeyPair(name = "e2e"): KeyPair {
    const out = execFileSync(process.execPath, ["apps/api/dist/cli/create-key.js", "--name", name, "--json"], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      encoding: "utf8",
    });
    return JSON.parse(out) as KeyPair;
  }

  /**
   * As an app's key pair, or as a client app holding a recipient token ({ token }), or as nobody
   * (null). api: which API process answers (index into apiUrls, taken modulo their number); the
   * first by default.
   */
  async graphql<T = Record<string, any>>(
    key: Pick<KeyPair, "appKey" | "appSecret"> | { token: string } | null,
    query: string,
    variables: Record<string, unknown> = {},
    { api = 0 }: { api?: number } = {},
  ): Promise<GraphQLResponse<T>> {
    const res = await fetch(`${this.apiUrls[api % this.apiUrls.length]}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(key && "token" in key ? { authorization: `Bearer ${key.token}` } : key ? { "x-app-key": key.appKey, "x-app-secret": key.appSecret } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as Omit<GraphQLResponse<T>, "status">;
    return { ...body, status: res.status };
  }

  /** A request to the sandbox's control API, with its token (it answers 401 without). */
  sandboxControl(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.sandbox.urls.control}${path}`, {
      ...init,
      headers: { ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...(init.headers as Record<string, string>), authorization: `Bearer ${this.sandbox.controlToken}` },
    });
  }

  /** The environment the API and workers run with (secrets the tests sign with included). */
  get processEnv(): Readonly<Record<string, string>> {
    return this.env;
  }

  /** Polls a condition (e.g. a status in Postgres) until it holds. */
  async eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    let last: T;
    do {
      last = await probe();
      if (accept(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    } while (Date.now() < until);
    throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workerProcs, ...this.apiProcs].map((p) => p.stop()));
    for (const fn of this.cleanup) await fn().catch(() => undefined);
  }
}
