// Loading @prisma/schema-engine-wasm in plain Node.
//
// The package is built for bundlers: its entry does `import * as wasm from "./schema_engine_bg.wasm"`,
// which Node cannot import. So the .wasm is instantiated by hand with the JS glue module
// (schema_engine_bg.js) as its import object, and the glue is then pointed at the instance.
//
// Package resolution: bare specifiers in this file resolve from prisma/engine/ upwards, i.e. from
// prisma/node_modules (the @notify/db package's own dependencies), whatever the current directory.

import { readFile } from "node:fs/promises";

let loaded;

/**
 * A Rust panic inside the WASM reports its message through this global (the CLI defines the same
 * object for its own WASM modules) and then traps with a RuntimeError("unreachable").
 * Without it the panic hook itself throws a TypeError and the real message is lost.
 */
class PanicRegistry {
  message = "";
  get() {
    return this.message;
  }
  set_message(message) {
    this.message = `RuntimeError: ${message}`;
  }
}
globalThis.PRISMA_WASM_PANIC_REGISTRY ??= new PanicRegistry();

/** The message of the last panic, if any. */
export function lastPanicMessage() {
  return globalThis.PRISMA_WASM_PANIC_REGISTRY.get?.() || "";
}

/** Returns the glue module (with `SchemaEngine` and `version`), instantiating the WASM once. */
export function loadSchemaEngineWasm() {
  loaded ??= (async () => {
    const glueUrl = import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const glue = await import(glueUrl);
    const bytes = await readFile(new URL("./schema_engine_bg.wasm", glueUrl));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue });
    glue.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return glue;
  })();
  return loaded;
}
