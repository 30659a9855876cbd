import { spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

// corepack's pnpm shim checks registry signatures this registry does not serve, and would
// otherwise prompt before downloading pnpm: both must be off for an unattended first run.
// turbo looks for a `pnpm` binary on PATH, so corepack's shims go in a directory of ours.
const shimDir = join(ROOT, ".data", "bin");
export const corepackEnv = {
  COREPACK_INTEGRITY_KEYS: "0",
  COREPACK_ENABLE_DOWNLOAD_PROMPT: "0",
  PATH: `${shimDir}${delimiter}${process.env.PATH}`,
};
mkdirSync(shimDir, { recursive: true });
spawnSync("corepack", ["enable", "pnpm", "--install-directory", shimDir], { stdio: "inherit", env: { ...process.env, ...corepackEnv } });

export function step(title) {
  console.log(`\n\x1b[1m▸ ${title}\x1b[0m`);
}

/** Runs a command to completion with inherited output; exits the script if it fails. */
export function run(cmd, args, { env = {}, cwd = ROOT } = {}) {
  const res = spawnSync(cmd, args, { cwd, stdio: "inherit", env: { ...process.env, ...corepackEnv, ...env } });
  if (res.error) {
    console.error(`✖ could not run ${cmd}: ${res.error.message}`);
    process.exit(1);
  }
  if (res.status !== 0) {
    console.error(`✖ ${cmd} ${args.join(" ")} exited with ${res.status}`);
    process.exit(res.status ?? 1);
  }
}

export function pnpm(args, opts) {
  run("corepack", ["pnpm", ...args], opts);
}

/** Installs dependencies, generates the Prisma client and builds every package. */
export function installAndBuild() {
  step("Installing dependencies (pnpm via corepack)");
  pnpm(["install", "--frozen-lockfile"]);
  step("Building (turbo: prisma generate, tsc, next build)");
  pnpm(["exec", "turbo", "run", "build", "--output-logs=errors-only"], { env: { NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1" } });
}

export function spawnService(name, cmd, args, { env = {}, color = 36 } = {}) {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...corepackEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = `\x1b[${color}m${name.padEnd(8)}\x1b[0m│ `;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream.on("data", (chunk) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop();
      for (const line of lines) process.stdout.write(prefix + line + "\n");
    });
  }
  return child;
}
