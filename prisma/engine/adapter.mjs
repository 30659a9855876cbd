// The driver adapter factory handed to the WASM schema engine: @prisma/adapter-pg, plus
//   1. a decoding fix for Postgres' "char" (OID 18) and name (OID 19) columns,
//   2. migration scripts sent to Postgres whole instead of split on ";",
//   3. our own shadow databases.
// The engine calls `connect()` once when it starts and `connectToShadowDb()` whenever it needs a
// scratch database (migrate dev, drift detection, `migrate diff --from-migrations`), calling
// `dispose()` on that adapter when done.

import { randomBytes } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  dropDatabase,
  KnownError,
  parseUrl,
  pgConfig,
  quoteIdent,
  withClient,
  withDatabase,
  withMaintenanceClient,
} from "./pg-admin.mjs";
import { log } from "./log.mjs";

const TEXT_OID = 25;
const CHAR_OID = 18; // Postgres' internal one-byte "char" (pg_class.relkind, pg_constraint.contype ...)
const NAME_OID = 19; // identifiers in the system catalogs

let patched = false;

/**
 * Patch @prisma/adapter-pg 7.10's query classes (they are not exported, so they are reached
 * through the prototype chain of an adapter instance). Done once per process.
 */
function patchAdapterPg(adapter) {
  if (patched) return;
  const adapterProto = Object.getPrototypeOf(adapter); // PrismaPgAdapter.prototype
  const queryableProto = Object.getPrototypeOf(adapterProto); // PgQueryable.prototype (shared with transactions)
  if (typeof queryableProto?.performIO !== "function" || typeof adapterProto.executeScript !== "function") {
    throw new Error(
      "@prisma/adapter-pg internals are not what prisma/engine/adapter.mjs expects (PgQueryable.performIO / " +
        "PrismaPgAdapter.executeScript). Upgrade the Prisma packages together and re-check this file.",
    );
  }

  // (1) Introspection selects catalog columns of type "char" (18), for which adapter-pg's
  // fieldToColumnType throws "Unsupported column type char"; name (19) is listed in the same
  // breath by the notes and mapped the same way for safety. pg hands both over as JS strings
  // (no type parser is registered for them), so declaring them TEXT is all that is needed; the
  // column types are read from `fields` after performIO returns.
  const performIO = queryableProto.performIO;
  queryableProto.performIO = async function performIOWithCatalogTypes(query) {
    const result = await performIO.call(this, query);
    for (const field of result?.fields ?? []) {
      if (field.dataTypeID === CHAR_OID || field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
    }
    return result;
  };

  // (2) adapter-pg's executeScript splits the script on every ";" and runs the pieces one by one,
  // which breaks any migration with a ";" inside a string, a comment or a function body (DO $$ ...
  // $$), and applies half a migration when a later statement fails. The native engine sends the
  // whole script in one simple-protocol query (Postgres then runs it as one implicit transaction);
  // do the same. Errors still go through the adapter's own error mapping.
  adapterProto.executeScript = async function executeWholeScript(script) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };

  patched = true;
}

/** Open an adapter-pg adapter on `url`, honouring Prisma's `?schema=` parameter. */
async function openAdapter(url) {
  const { connectionString, schema } = pgConfig(url);
  const poolConfig = { connectionString };
  if (schema) poolConfig.options = `-c search_path=${quoteIdent(schema)}`;
  const adapter = await new PrismaPg(poolConfig, schema ? { schema } : undefined).connect();
  patchAdapterPg(adapter);
  return adapter;
}

/** Empty the url's schema (default public) by dropping and recreating it. */
async function resetSchema(url) {
  const schema = quoteIdent(parseUrl(url).schema ?? "public");
  await withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema};`));
}

export class ShimAdapterFactory {
  provider = "postgres";
  adapterName = "@prisma/adapter-pg";

  /** Adapters handed out and not yet disposed, so shutdown can close them. */
  #open = new Set();
  /** Shadow databases we created and have not dropped yet: name -> url. */
  #shadowDbs = new Map();
  /** CREATE DATABASE statements in flight. */
  #creating = new Set();

  /**
   * @param {object} o
   * @param {string} o.url               the main database
   * @param {string} [o.shadowDatabaseUrl] a user-configured shadow database (emptied, never created or dropped)
   */
  constructor({ url, shadowDatabaseUrl }) {
    this.url = url;
    this.shadowDatabaseUrl = shadowDatabaseUrl || undefined;
  }

  async connect() {
    return this.#track(await openAdapter(this.url));
  }

  /**
   * adapter-pg's own connectToShadowDb cannot be used: given a connectionString it points the
   * "shadow" pool at the main database (the connection string wins over `database`), and it drops
   * the shadow database before closing the pool that is still connected to it.
   */
  async connectToShadowDb() {
    if (this.shadowDatabaseUrl) {
      // A configured shadow database (datasource.shadowDatabaseUrl) is never created or dropped,
      // but, as the native engine does, emptied before and after use. The WASM engine does
      // neither, so do it here, refusing when it is the main database.
      const main = parseUrl(this.url);
      const shadow = parseUrl(this.shadowDatabaseUrl);
      if (main.host === shadow.host && main.port === shadow.port && main.database === shadow.database) {
        throw new KnownError("P3014", "The shadow database you configured appears to be the same as the main database. Please specify another shadow database.");
      }
      await resetSchema(this.shadowDatabaseUrl);
      const adapter = await openAdapter(this.shadowDatabaseUrl);
      const closePool = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await closePool();
        await resetSchema(this.shadowDatabaseUrl);
      };
      return this.#track(adapter);
    }

    const name = `prisma_shadow_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
    const shadowUrl = withDatabase(this.url, name);
    // Registered before it exists, and the CREATE awaited by disposeAll(), so a shutdown in the
    // middle of this cannot leave the database behind.
    this.#shadowDbs.set(name, shadowUrl);
    const creating = withMaintenanceClient(this.url, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    this.#creating.add(creating);
    try {
      await creating;
    } catch (err) {
      this.#shadowDbs.delete(name);
      throw err;
    } finally {
      this.#creating.delete(creating);
    }
    log("INFO", { message: `Created shadow database ${name}` }, "schema_engine::shadow_db");

    let adapter;
    try {
      const { schema } = parseUrl(this.url);
      if (schema && schema !== "public") {
        // The main url selects a schema: make it exist in the new database too.
        await withClient(shadowUrl, (c) => c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`));
      }
      adapter = await openAdapter(shadowUrl);
    } catch (err) {
      await this.#dropShadow(name);
      throw err;
    }

    const closePool = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await closePool(); // first close our own connections ...
      await this.#dropShadow(name); // ... then drop (WITH (FORCE) in case anything lingers)
    };
    return this.#track(adapter);
  }

  /** Close every open pool and drop every shadow database still around. Safe to call twice. */
  async disposeAll() {
    await Promise.allSettled([...this.#creating]);
    const adapters = [...this.#open];
    this.#open.clear();
    await Promise.allSettled(adapters.map((a) => a.dispose()));
    await Promise.allSettled([...this.#shadowDbs.keys()].map((name) => this.#dropShadow(name)));
  }

  #track(adapter) {
    const dispose = adapter.dispose.bind(adapter);
    this.#open.add(adapter);
    adapter.dispose = async () => {
      this.#open.delete(adapter);
      await dispose();
    };
    return adapter;
  }

  async #dropShadow(name) {
    const url = this.#shadowDbs.get(name);
    if (!url) return;
    this.#shadowDbs.delete(name);
    try {
      await dropDatabase(url, { force: true, ifExists: true });
      log("INFO", { message: `Dropped shadow database ${name}` }, "schema_engine::shadow_db");
    } catch (err) {
      log("WARN", { message: `Could not drop shadow database ${name}: ${err.message}` }, "schema_engine::shadow_db");
    }
  }
}
