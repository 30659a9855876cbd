#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, which the CLI would otherwise download from
// binaries.prisma.sh (unreachable from our build machines). prisma.config.ts points
// PRISMA_SCHEMA_ENGINE_BINARY here; the CLI spawns this file with the arguments it would give the
// native binary, and we answer with @prisma/schema-engine-wasm driven through @prisma/adapter-pg.
// See prisma/README.md. Modules:
//   args.mjs          command-line parsing
//   cli-commands.mjs  `cli can-connect-to-database | create-database | drop-database` (answered with pg)
//   rpc.mjs           the stdio JSON-RPC server used by migrate/db commands
//   wasm.mjs          instantiating the WASM engine in Node
//   adapter.mjs       adapter-pg factory: catalog type fix, whole-script execution, shadow databases
//   pg-admin.mjs      pg helpers and pg error -> Prisma error code (P1xxx) mapping
//   log.mjs           stderr logging in the native engine's JSON format

import { HELP, parseArgs, UsageError } from "./args.mjs";
import { guardStdout, log } from "./log.mjs";

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`schema-engine: ${err.message}\n\n${HELP}`);
    return 2;
  }

  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }

  if (args.version || args.cliCommand) {
    // Loading the WASM is only needed for its version string here (about 50 ms).
    const { loadSchemaEngineWasm } = await import("./wasm.mjs");
    const version = (await loadSchemaEngineWasm()).version();
    if (args.version) {
      process.stdout.write(`schema-engine-cli ${version}\n`);
      return 0;
    }
    const { runCliCommand } = await import("./cli-commands.mjs");
    return runCliCommand(args.cliCommand, args.datasource, version);
  }

  guardStdout();
  if (args.previewFeatures.length || args.extensionTypes) {
    log("DEBUG", { message: "--enabled-preview-features / --extension-types are not used by the WASM engine" });
  }
  const { RpcServer } = await import("./rpc.mjs");
  new RpcServer(args).start();
  return undefined; // keeps running until stdin closes or the CLI sends SIGTERM
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err) => {
    log("ERROR", { is_panic: true, message: err?.stack ?? String(err) });
    process.exit(101);
  },
);
