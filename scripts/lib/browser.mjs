import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

// The console's browser tests drive Debian's chromium through playwright-core; playwright's own
// browser download needs hosts this machine (and CI) cannot reach, so the browser comes from apt.
export const CHROMIUM = "/usr/bin/chromium";

let aptUpdated = false;

function have(binary) {
  return spawnSync("sh", ["-c", `command -v ${binary}`], { stdio: "ignore" }).status === 0;
}

function apt(args) {
  const res = spawnSync("apt-get", args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return res.status === 0;
}

/**
 * Makes sure Debian's chromium is installed, installing it through apt-get when we are root.
 * Returns whether it is there; when it is not, says what to install (the browser tests then fail
 * with that reason instead of a launch error).
 */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return true;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root && have("apt-get")) {
    console.log("Installing chromium for the console's browser tests (apt-get) …");
    if (!aptUpdated) aptUpdated = apt(["update"]);
    if (apt(["install", "-y", "chromium"]) && existsSync(CHROMIUM)) return true;
  }
  console.error(
    `\n✖ No browser at ${CHROMIUM}: the console's browser tests need Debian's chromium.\n` +
      "  Install it (Debian/Ubuntu: sudo apt-get install -y chromium).\n" +
      "  Playwright's own browser download is not used: it needs hosts outside the npm registry.\n",
  );
  return false;
}
