import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { basename, join } from "node:path";

/**
 * Preloaded into the API and worker processes by `pnpm bench --cpu-prof DIR` (NODE_OPTIONS
 * --import; Node 20 refuses --cpu-prof itself there): profiles the whole process with V8's
 * sampler and writes DIR/<app>-<pid>.cpuprofile (for Chrome DevTools or speedscope) when the
 * process is told to stop or exits, whichever comes first: a process killed after a slow
 * shutdown still leaves its profile.
 */
const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  // "api" for apps/api/dist/main.js, "api-create-key" for its CLI.
  const script = process.argv[1] ?? "node";
  const m = /apps\/([^/]+)\/dist\/(.+)\.js$/.exec(script);
  const app = m ? (m[2] === "main" ? m[1]! : `${m[1]}-${basename(m[2]!)}`) : basename(script);
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // An in-thread inspector session answers synchronously, so this is done when post returns.
    session.post("Profiler.stop", (err, res) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${app}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  };
  process.on("exit", write);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      write();
      // Only this listener: keep the signal's default (end the process).
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
