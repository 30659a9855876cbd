import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * parseArgs with `--help` and readable mistakes: an unknown or malformed option prints the usage
 * and exits 2, instead of Node's stack trace (what `create-key --help` used to do).
 */
export function parseCli<O extends Options>(usage: string, options: O, argv = process.argv.slice(2)) {
  // `pnpm keys:create -- --name x` runs through two pnpm scripts, and pnpm hands the `--` on;
  // parseArgs would then take every option after it for a positional.
  const args = argv.filter((a) => a !== "--");
  try {
    const parsed = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    if ((parsed.values as { help?: boolean }).help) {
      console.log(usage);
      process.exit(0);
    }
    return parsed as unknown as { values: { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : string }; positionals: string[] };
  } catch (err) {
    fail((err as Error).message, usage);
  }
}

export function fail(message: string, usage?: string): never {
  console.error(`error: ${message}`);
  if (usage) console.error(`\n${usage}`);
  process.exit(2);
}
