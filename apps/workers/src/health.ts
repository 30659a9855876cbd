import { createServer, type Server } from "node:http";
import type { Worker } from "bullmq";
import type { RedisConnection } from "@notify/jobs";
import type { Db } from "@notify/db";

/**
 * /health: the process is alive. /ready: Postgres and Redis answer, every worker runs, and the
 * process is not draining (after SIGTERM it finishes its jobs but should get no new traffic).
 */
export function startHealthServer(deps: { db: Db; redis: RedisConnection; workers: Worker[]; draining?: () => boolean }, host: string, port: number): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
      return;
    }
    if (req.url === "/ready") {
      const [postgres, redis] = (await Promise.allSettled([deps.db.$queryRaw`SELECT 1`, deps.redis.ping()])).map((c) => (c.status === "fulfilled" ? "ok" : "down"));
      const workers = deps.workers.map((w) => ({ queue: w.name, running: w.isRunning() }));
      const draining = deps.draining?.() ?? false;
      const ready = postgres === "ok" && redis === "ok" && workers.every((w) => w.running) && !draining;
      res.writeHead(ready ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify({ postgres, redis, workers, draining }));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
