import { execSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import net from "node:net";

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/notify";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

function canConnect(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || defaultPort) });
    socket.setTimeout(2000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

async function waitFor(url, defaultPort, seconds = 20) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await canConnect(url, defaultPort)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function have(binary) {
  return spawnSync("sh", ["-c", `command -v ${binary}`], { stdio: "ignore" }).status === 0;
}

/**
 * Uses DATABASE_URL / REDIS_URL when given. Otherwise uses local servers on their default ports,
 * starting them when their binaries are installed, and says what to install when not.
 */
export async function ensureServices() {
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;

  if (!(await canConnect(databaseUrl, 5432))) {
    if (process.env.DATABASE_URL) fail(`Postgres at DATABASE_URL is not reachable.`);
    if (have("pg_ctlcluster") && existsSync("/etc/postgresql")) {
      const version = readdirSync("/etc/postgresql")[0];
      console.log(`Starting local PostgreSQL ${version} …`);
      execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`, { stdio: "inherit" });
    } else if (have("pg_ctl") && process.env.PGDATA) {
      execSync(`pg_ctl -D "$PGDATA" -l "$PGDATA/server.log" start`, { stdio: "inherit" });
    } else {
      fail(
        "No PostgreSQL is running on 127.0.0.1:5432 and none is installed.\n" +
          "  Install one (Debian/Ubuntu: apt-get install -y postgresql; macOS: brew install postgresql@15)\n" +
          "  or point DATABASE_URL at an existing server (postgresql://user:pass@host:5432/notify).",
      );
    }
    if (!(await waitFor(databaseUrl, 5432))) fail("PostgreSQL was started but does not accept connections on 127.0.0.1:5432.");
  }

  // A Redis Cluster (redis-cluster://host:port,…): the API and workers connect through every
  // node and check each master's eviction policy themselves at start-up.
  if (/^rediss?-cluster:\/\//.test(redisUrl)) return { databaseUrl, redisUrl };

  if (!(await canConnect(redisUrl, 6379))) {
    if (process.env.REDIS_URL) fail(`Redis at REDIS_URL is not reachable.`);
    if (have("redis-server")) {
      console.log("Starting local Redis …");
      // noeviction: an evicted BullMQ key is a lost notification (the platform refuses anything else).
      execSync(
        `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --maxmemory-policy noeviction` +
          (existsSync("/var/lib/redis") ? " --dir /var/lib/redis" : ""),
        { stdio: "inherit" },
      );
    } else {
      fail(
        "No Redis is running on 127.0.0.1:6379 and none is installed.\n" +
          "  Install one (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis)\n" +
          "  or point REDIS_URL at an existing server (redis://host:6379).",
      );
    }
    if (!(await waitFor(redisUrl, 6379))) fail("Redis was started but does not accept connections on 127.0.0.1:6379.");
  }
  await ensureNoEviction(redisUrl, !process.env.REDIS_URL);
  return { databaseUrl, redisUrl };
}

/**
 * The API and workers refuse a Redis that may evict keys. A local Redis that was already running
 * (e.g. a distribution's service with an edited redis.conf) is switched to noeviction so `start`
 * and `test` work; a server named by REDIS_URL is not ours to reconfigure, so we only explain.
 */
async function ensureNoEviction(url, isLocalDefault) {
  let policy;
  try {
    policy = /^maxmemory_policy:(\S+)/m.exec(await redisCommand(url, ["INFO", "memory"]))?.[1];
  } catch (err) {
    fail(`Could not read Redis' maxmemory-policy at ${url}: ${err.message}`);
  }
  if (policy === undefined || policy === "noeviction") return;
  if (!isLocalDefault) {
    fail(`Redis at REDIS_URL has maxmemory-policy=${policy}; the platform needs noeviction (an evicted job is a lost notification). Set it in that server's configuration.`);
  }
  console.log(`Local Redis had maxmemory-policy=${policy}; setting noeviction (an evicted job is a lost notification).`);
  await redisCommand(url, ["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
}

/** One command over RESP, enough for INFO and CONFIG SET (no client library at the root). */
function redisCommand(url, args) {
  const { hostname, port, password, username } = new URL(url);
  const encode = (parts) => `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`;
  const auth = password ? [["AUTH", ...(username ? [decodeURIComponent(username)] : []), decodeURIComponent(password)]] : [];
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || 6379) });
    socket.setTimeout(5000);
    let buffer = Buffer.alloc(0);
    let replies = 0;
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const reply = parseReply(buffer);
        if (!reply) return;
        buffer = buffer.subarray(reply.length);
        if (reply.error) return socket.destroy(), reject(new Error(reply.error));
        if (++replies === auth.length + 1) return socket.destroy(), resolve(reply.value);
      }
    });
    socket.once("error", reject);
    socket.once("timeout", () => (socket.destroy(), reject(new Error("timed out"))));
    socket.write([...auth, args].map(encode).join(""));
  });
}

/** A simple-string, error or bulk-string reply from the front of `buf`, or null if incomplete. */
function parseReply(buf) {
  const eol = buf.indexOf("\r\n");
  if (eol < 0) return null;
  const line = buf.subarray(1, eol).toString();
  if (buf[0] === 0x2d /* - */) return { error: line, length: eol + 2 };
  if (buf[0] !== 0x24 /* $ */) return { value: line, length: eol + 2 };
  const size = Number(line);
  if (size < 0) return { value: null, length: eol + 2 };
  if (buf.length < eol + 2 + size + 2) return null;
  return { value: buf.subarray(eol + 2, eol + 2 + size).toString(), length: eol + 2 + size + 2 };
}

function fail(message) {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}
