// JSON-RPC mode: what the CLI talks to for migrate dev/deploy/status/reset/diff, db push/pull ...
//
// Protocol (as observed between Prisma 7.10's CLI and the native engine):
//   - newline-delimited JSON-RPC 2.0 on stdin (requests) and stdout (responses);
//   - each request's `method` is the WASM engine's method of the same name, except
//     `getDatabaseVersion`, which is `version`;
//   - errors: {code: 4466, message, data: {is_panic, message, error_code?, meta?}};
//   - `diff` output is not part of the result: the engine first sends the CLI a request
//     {"method": "print", "params": {"content": <text>}}, waits for its answer, then returns the
//     result;
//   - the CLI ends a session by closing stdin and sending SIGTERM right away.

import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { ShimAdapterFactory } from "./adapter.mjs";
import { forwardEngineLog, log } from "./log.mjs";
import { canConnect, toKnownError, withDatabase, KnownError } from "./pg-admin.mjs";
import { lastPanicMessage, loadSchemaEngineWasm } from "./wasm.mjs";

const RPC_ERROR_CODE = 4466;
const METHOD_ALIASES = { getDatabaseVersion: "version" };
/** Methods the CLI may call that this WASM build does not have. */
const UNSUPPORTED = new Set(["createDatabase", "getDatabaseDescription"]);

function send(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

/** Does a diff request read a live database (and therefore need the main connection)? */
function diffNeedsMainDb(params) {
  const live = (t) => t?.tag === "schemaDatasource" || t?.tag === "url";
  return live(params?.from) || live(params?.to);
}

export class RpcServer {
  #args;
  #factory;
  #boundFactory;
  #engine;
  #queue = Promise.resolve();
  #printId = 0;
  #pendingPrints = new Map();
  #shuttingDown;
  /** The request being handled (requests are handled one at a time). */
  #current;

  constructor(args) {
    this.#args = args;
  }

  start() {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    rl.on("line", (line) => this.#onLine(line));
    rl.on("close", () => this.shutdown("stdin closed"));
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => this.shutdown(signal, { wait: false }));
    // A Rust panic traps the WASM inside a callback the engine runs from the microtask queue, so it
    // surfaces here instead of rejecting the request's promise (which would then never settle).
    // Answer the pending request with a panic error: the CLI must not be left waiting, because when
    // the engine just dies, Prisma 7.10's CLI may exit 0 without printing anything.
    process.on("uncaughtException", (err) => this.#crash(err));
    process.on("unhandledRejection", (err) => this.#crash(err));
  }

  async #crash(err) {
    const isPanic = err instanceof WebAssembly.RuntimeError;
    const message = (isPanic && lastPanicMessage()) || String(err?.stack ?? err);
    log("ERROR", { is_panic: isPanic, message }, "schema_engine::logger");
    const id = this.#current?.id;
    if (id !== undefined && id !== null) {
      send({ jsonrpc: "2.0", id, error: { code: RPC_ERROR_CODE, message, data: { is_panic: true, message } } });
    }
    await this.#factory?.disposeAll().catch(() => {});
    process.exit(101);
  }

  /** Close pools, drop leftover shadow databases, exit. */
  shutdown(reason, { wait = true } = {}) {
    this.#shuttingDown ??= (async () => {
      log("DEBUG", { message: `Shutting down (${reason})` });
      if (wait) await this.#queue.catch(() => {});
      await this.#factory?.disposeAll().catch(() => {});
      process.exit(0);
    })();
    return this.#shuttingDown;
  }

  #onLine(line) {
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (err) {
      send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: `Parse error: ${err.message}` } });
      return;
    }
    if (typeof msg.method === "string") {
      // Requests run one at a time, in order, like the native engine's single connection.
      this.#queue = this.#queue.then(() => this.#handle(msg));
      return;
    }
    // Otherwise: the CLI answering one of our `print` requests.
    const resolve = this.#pendingPrints.get(msg.id);
    if (resolve) {
      this.#pendingPrints.delete(msg.id);
      resolve();
    }
  }

  async #handle({ id, method, params }) {
    const respond = id !== undefined && id !== null;
    this.#current = { id, method };
    try {
      const result = await this.#call(method, params);
      if (respond) send({ jsonrpc: "2.0", id, result: result === undefined || result === null ? {} : result });
    } catch (caught) {
      let err = caught;
      const panic = err instanceof WebAssembly.RuntimeError;
      if (panic && lastPanicMessage()) err.message = lastPanicMessage();
      err = this.#withExternalErrors(err);
      if (respond) send({ jsonrpc: "2.0", id, error: toRpcError(err, panic) });
      else log("ERROR", { message: String(err?.message ?? err) });
      if (panic) {
        // A trapped WASM instance cannot be used again; the native engine exits 101 on a panic.
        log("ERROR", { message: `schema engine panicked: ${err.message}`, is_panic: true });
        await this.#factory?.disposeAll().catch(() => {});
        process.exit(101);
      }
    } finally {
      this.#current = undefined;
    }
  }

  async #call(method, params) {
    if (UNSUPPORTED.has(method)) {
      throw new KnownError(undefined, `The \`${method}\` method is not available in the WASM schema engine (prisma/engine/schema-engine.mjs).`);
    }
    const engine = await this.#getEngine(method, params);
    const name = METHOD_ALIASES[method] ?? method;
    // Only the engine's API methods (not wasm-bindgen internals such as free/__destroy_into_raw).
    if (typeof engine[name] !== "function" || name.startsWith("_") || name === "constructor" || name === "free") {
      const e = new Error(`Method not found: ${method}`);
      e.rpcCode = -32601;
      throw e;
    }
    if (method === "diff") return this.#diff(engine, params);
    return engine[name](params ?? null);
  }

  /**
   * A JS exception thrown inside the adapter (not a database error) reaches the engine only as an
   * id in the bound factory's error registry, and its message says "External error id#N". Put the
   * original message (and Prisma error code, if any) back.
   */
  #withExternalErrors(err) {
    const registry = this.#boundFactory?.errorRegistry;
    if (!registry || typeof err?.message !== "string") return err;
    let known;
    const message = err.message.replace(/External error id#(\d+)/g, (text, id) => {
      const original = registry.consumeError(Number(id))?.error;
      if (!original) return text;
      if (original instanceof KnownError) known ??= original;
      return String(original.message ?? original);
    });
    if (known) return new KnownError(known.errorCode, message, known.meta);
    err.message = message;
    return err;
  }

  async #diff(engine, params) {
    const result = await engine.diff(params);
    if (typeof result?.stdout === "string") await this.#print(result.stdout);
    return { exitCode: result?.exitCode ?? 0, stdout: null };
  }

  /** Ask the CLI to print `content` on its stdout and wait for its acknowledgement. */
  #print(content) {
    const id = ++this.#printId;
    return new Promise((resolve) => {
      this.#pendingPrints.set(id, resolve);
      send({ jsonrpc: "2.0", id, method: "print", params: { content } });
      // Never hang on a lost acknowledgement.
      setTimeout(() => this.#pendingPrints.delete(id) && resolve(), 30_000).unref();
    });
  }

  /**
   * The WASM engine connects to the main database as soon as it is created, so it is created on
   * the first request. A `migrate diff` that reads no live database (schema, migrations, empty)
   * still works when the configured database does not exist: the engine is then started on the
   * server's `postgres` database (shadow databases for --from-migrations are created beside it).
   */
  #getEngine(method, params) {
    if (this.#engine) return this.#engine;
    this.#engine = (async () => {
      const { datamodels, datasource } = this.#args;
      const url = datasource?.url;
      if (!url) throw new KnownError("P1012", "No datasource url: set `datasource.url` in prisma.config.ts (DATABASE_URL).");

      let mainUrl = url;
      if (method === "diff" && !diffNeedsMainDb(params)) {
        try {
          await canConnect(url);
        } catch (err) {
          if (err?.code !== "3D000") throw toKnownError(err, url);
          mainUrl = withDatabase(url, "postgres");
          log("INFO", { message: "Configured database does not exist; using the server's `postgres` database for this diff." });
        }
      }

      const files = await Promise.all(datamodels.map(async (path) => [path, await readFile(path, "utf8")]));
      const { SchemaEngine } = await loadSchemaEngineWasm();
      this.#factory = new ShimAdapterFactory({ url: mainUrl, shadowDatabaseUrl: datasource.shadowDatabaseUrl });
      this.#boundFactory = bindMigrationAwareSqlAdapterFactory(this.#factory);
      try {
        // With no --datamodels (migrate diff), pass undefined: an empty list makes the engine panic
        // later ("psl::validate_multi_file() must be called with at least one file").
        return await SchemaEngine.new({ datamodels: files.length ? files : undefined }, forwardEngineLog, this.#boundFactory);
      } catch (err) {
        // The engine's message has no error code; ask pg directly to report P1000/P1001/P1003.
        try {
          await canConnect(mainUrl);
        } catch (pgErr) {
          throw toKnownError(pgErr, mainUrl);
        }
        throw err;
      }
    })();
    // A failed start is not cached: the next request tries again.
    this.#engine.catch(() => (this.#engine = undefined));
    return this.#engine;
  }
}

function toRpcError(err, isPanic) {
  if (err?.rpcCode) return { code: err.rpcCode, message: err.message };
  const message = String(err?.message ?? err).replace(/\n+$/, "");
  const data = { is_panic: isPanic, message };
  if (err instanceof KnownError) {
    if (err.errorCode) data.error_code = err.errorCode;
    if (err.meta) data.meta = err.meta;
  }
  return { code: RPC_ERROR_CODE, message, data };
}
