import "reflect-metadata";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { RedisConnection } from "@notify/jobs";
import type { Logger } from "pino";
import type { Db } from "@notify/db";
import { ConsoleIdentityVerifier } from "./auth/console-identity.js";
import { readBearerToken, readCredentials } from "./auth/credentials.js";
import type { Context } from "./context.js";
import { UnauthenticatedError } from "./errors.js";
import { ApiKeyRateLimiter } from "./auth/rate-limit.js";
import { unavailableError } from "./graphql/unavailable.js";
import { explainValidationError } from "./graphql/validation-errors.js";
import { createSchema } from "./graphql/schema.js";
import type { Services } from "./services.js";
import { createWebhookRouter } from "./webhooks/router.js";
import type { ApiEnv } from "./env.js";

export interface ApiServerDeps {
  db: Db;
  redis: RedisConnection;
  services: Services;
  log: Logger;
  env: ApiEnv;
}

export interface RunningApi {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** GraphQL over HTTP at /graphql, liveness at /health, readiness (Postgres + Redis) at /ready. */
export async function startApiServer(deps: ApiServerDeps, { host, port }: { host: string; port: number }): Promise<RunningApi> {
  const app = express();
  const httpServer = createServer(app);
  // Longer than the idle timeout of the load balancers and HTTP clients in front of us (often
  // 60 s): otherwise the server closes an idle keep-alive socket just as a client reuses it, and
  // that request fails with "other side closed".
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const schema = await createSchema();
  // Assigned once the WebSocket server exists, below; Apollo only calls drainServer at stop.
  let wsCleanup: { dispose(): void | Promise<void> };
  const apollo = new ApolloServer<Context>({
    schema,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Closes the subscription sockets when Apollo stops.
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
    ],
    // Internal errors reach the log with their stack and the caller as a bare INTERNAL_SERVER_ERROR.
    formatError: (formatted, error) => {
      if (formatted.extensions?.code === "INTERNAL_SERVER_ERROR") {
        const unavailable = unavailableError(error);
        if (unavailable) return unavailable;
        deps.log.error({ err: error }, "internal error");
      }
      return explainValidationError(formatted);
    },
  });
  await apollo.start();
  const rateLimiter = deps.env.API_RATE_LIMIT_PER_SECOND > 0 ? new ApiKeyRateLimiter(deps.redis, deps.env.API_RATE_LIMIT_PER_SECOND) : undefined;

  const consoleIdentities = deps.env.CONSOLE_IDENTITY_SECRET ? new ConsoleIdentityVerifier(deps.db, deps.env.CONSOLE_IDENTITY_SECRET) : undefined;

  /** The caller of an HTTP request or a WebSocket connection: a recipient token or an app's key pair. */
  async function authenticate(headers: IncomingHttpHeaders): Promise<Context> {
    const identity = headers["x-console-identity"];
    if (typeof identity === "string") {
      const verified = await consoleIdentities?.verify(identity);
      if (!verified) throw new UnauthenticatedError("The console identity is invalid or expired, or the user is not a member of the app");
      return { app: verified.app, principal: { kind: "app" }, db: deps.db, services: deps.services };
    }
    const bearer = readBearerToken(headers);
    if (bearer) {
      const verified = await deps.services.recipientTokens.verify(bearer);
      if (!verified) throw new UnauthenticatedError("The recipient token is invalid or expired");
      const principal = { kind: "recipient" as const, recipientExternalId: verified.recipientExternalId };
      return { app: verified.app, principal, db: deps.db, services: deps.services };
    }
    const credentials = readCredentials(headers);
    if (!credentials) throw new UnauthenticatedError("Send X-App-Key and X-App-Secret (or Basic auth) with every request");
    const authenticated = await deps.services.apiKeys.verify(credentials.appKey, credentials.appSecret);
    if (!authenticated) throw new UnauthenticatedError("The appKey/appSecret pair is not valid");
    await rateLimiter?.check(authenticated.apiKeyId);
    return { app: authenticated, principal: { kind: "app" }, db: deps.db, services: deps.services };
  }

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/ready", async (_req, res) => {
    const checks = await Promise.allSettled([deps.db.$queryRaw`SELECT 1`, deps.redis.ping()]);
    const [postgres, redis] = checks.map((c) => (c.status === "fulfilled" ? "ok" : "down"));
    res.status(postgres === "ok" && redis === "ok" ? 200 : 503).json({ postgres, redis });
  });

  app.use("/webhooks", createWebhookRouter(deps));

  app.use(
    "/graphql",
    // Room for a 10,000-recipient sendBulk with per-recipient data and idempotency keys.
    express.json({ limit: "10mb" }),
    expressMiddleware(apollo, { context: ({ req }) => authenticate(req.headers) }),
  );

  // Subscriptions (graphql-ws) on the same path; a socket authenticates once, with the same
  // credentials as HTTP, sent as connectionParams ({ "x-app-key", "x-app-secret" } or
  // { authorization }).
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql" });
  wsCleanup = useServer(
    {
      schema,
      context: (ctx) => (ctx.extra as { context?: Context }).context!,
      onConnect: async (ctx) => {
        try {
          (ctx.extra as { context?: Context }).context = await authenticate(lowerCaseKeys(ctx.connectionParams ?? {}));
          return true;
        } catch {
          return false;
        }
      },
    },
    wsServer,
  );

  // Without the error listener a taken port does not fail the start: the WebSocket server takes
  // the 'error' event, logs it, and the API waits for ever without listening.
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server: httpServer,
    close: () => apollo.stop(),
  };
}

function lowerCaseKeys(params: Record<string, unknown>): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(params).flatMap(([k, v]) => (typeof v === "string" ? [[k.toLowerCase(), v]] : [])));
}
