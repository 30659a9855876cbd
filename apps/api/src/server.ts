import "reflect-metadata";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { parse, specifiedRules, validate, GraphQLError } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { RedisConnection } from "@notify/jobs";
import type { Logger } from "pino";
import type { Db } from "@notify/db";
import proxyAddr from "proxy-addr";
import { AuthThrottle } from "./auth/auth-throttle.js";
import { authenticate, type AuthenticateDeps } from "./auth/authenticate.js";
import { ConsoleIdentityVerifier } from "./auth/console-identity.js";
import type { Context } from "./context.js";
import { CostRateLimiter } from "./auth/rate-limit.js";
import { documentLimits } from "./graphql/document-limits.js";
import { jsonBodyErrors } from "./graphql/http-errors.js";
import { OperationGuard } from "./graphql/operation-guard.js";
import { hideSuggestionsPlugin } from "./graphql/schema-visibility.js";
import { formatApiError } from "./graphql/format-error.js";
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
  // Only a configured proxy's X-Forwarded-For is believed; otherwise req.ip is the socket's address.
  app.set("trust proxy", deps.env.TRUSTED_PROXIES ? deps.env.TRUSTED_PROXIES.split(",").map((p) => p.trim()).filter(Boolean) : false);
  const httpServer = createServer(app);
  // Longer than the idle timeout of the load balancers and HTTP clients in front of us (often
  // 60 s): otherwise the server closes an idle keep-alive socket just as a client reuses it, and
  // that request fails with "other side closed".
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const schema = await createSchema();
  // Assigned once the WebSocket server exists, below; Apollo only calls drainServer at stop.
  let wsCleanup: { dispose(): void | Promise<void> };
  const { env } = deps;
  const sandbox = env.NOTIFY_MODE === "sandbox";
  // Stack traces and internal messages reach callers only in a sandbox that asked for them.
  const debugErrors = sandbox && env.API_DEBUG_ERRORS;
  const limits = documentLimits({ maxDepth: env.API_MAX_DEPTH, maxAliases: env.API_MAX_ALIASES, maxTokens: env.API_MAX_TOKENS, maxDirectives: env.API_MAX_DIRECTIVES });
  const budget = (units: number, prefix: string) => (units > 0 ? new CostRateLimiter(deps.redis, units, env.API_COST_WINDOW_SECONDS, prefix) : undefined);
  const guard = new OperationGuard({
    schema,
    maxCost: env.API_MAX_OPERATION_COST,
    appIntrospection: sandbox || env.API_INTROSPECTION,
    appBudget: budget(env.API_COST_BUDGET, "key"),
    recipientBudget: budget(env.API_RECIPIENT_COST_BUDGET, "recipient"),
  });
  const apollo = new ApolloServer<Context>({
    schema,
    // Decided per caller by the guard (recipient tokens never; apps per mode).
    introspection: true,
    includeStacktraceInErrorResponses: debugErrors,
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Closes the subscription sockets when Apollo stops.
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
      ...limits.plugins,
      guard.plugin(),
      hideSuggestionsPlugin((ctx) => guard.maySeeSchema(ctx)),
    ],
    formatError: formatApiError({ debug: debugErrors, log: deps.log }),
  });
  await apollo.start();
  await deps.services.apiKeys.listen();
  if (!env.CONSOLE_IDENTITY_SECRET) deps.log.warn("CONSOLE_IDENTITY_SECRET is not set: console identities are refused (sandbox mode)");
  const authDeps: AuthenticateDeps = {
    db: deps.db,
    services: deps.services,
    consoleIdentity: env.CONSOLE_IDENTITY_SECRET ? new ConsoleIdentityVerifier(deps.db, env.CONSOLE_IDENTITY_SECRET) : undefined,
    throttle: new AuthThrottle(deps.redis, {
      perAddress: env.AUTH_FAILURES_PER_ADDRESS,
      perKey: env.AUTH_FAILURES_PER_KEY,
      windowSeconds: env.AUTH_FAILURE_WINDOW_SECONDS,
      blockSeconds: env.AUTH_FAILURE_BLOCK_SECONDS,
    }),
  };
  // The same rule as req.ip, for WebSocket upgrades (which do not pass through Express).
  const trustProxy = app.get("trust proxy fn") as (addr: string, i: number) => boolean;
  const addressOf = (req: IncomingMessage) => proxyAddr(req, trustProxy);

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
    expressMiddleware(apollo, { context: ({ req }) => authenticate(authDeps, { headers: req.headers, address: req.ip ?? req.socket.remoteAddress ?? "unknown" }) }),
  );
  // A body too large or not JSON is answered as GraphQL answers errors, never Express's HTML page.
  app.use(jsonBodyErrors(deps.log));

  // Subscriptions (graphql-ws) on the same path; a socket authenticates once, with the same
  // credentials as HTTP, sent as connectionParams ({ "x-app-key", "x-app-secret" },
  // { authorization } or { "x-console-identity" }).
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql" });
  wsCleanup = useServer(
    {
      schema,
      // A copy per operation: per-operation state (graphql/loaders.ts) is keyed by the context.
      context: (ctx) => ({ ...(ctx.extra as { context?: Context }).context! }),
      // The same limits as over HTTP: tokens while parsing, depth/aliases/directives, then the
      // guard (introspection, cost, rate budget). Errors here refuse the operation before it starts.
      onSubscribe: async (ctx, _id, payload) => {
        const context = (ctx.extra as { context?: Context }).context!;
        try {
          const document = parse(payload.query, limits.parseOptions);
          const errors = validate(schema, document, [...specifiedRules, ...limits.validationRules]);
          if (errors.length) return errors;
          await guard.check(context, document, payload.variables ?? undefined, payload.operationName);
        } catch (err) {
          if (err instanceof GraphQLError) return [err];
          throw err;
        }
        return undefined;
      },
      onConnect: async (ctx) => {
        try {
          const { request } = ctx.extra as { request: IncomingMessage };
          (ctx.extra as { context?: Context }).context = await authenticate(authDeps, { headers: lowerCaseKeys(ctx.connectionParams ?? {}), address: addressOf(request) }, { longLived: true });
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
    close: async () => {
      await apollo.stop();
      await deps.services.apiKeys.close();
    },
  };
}

function lowerCaseKeys(params: Record<string, unknown>): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(params).flatMap(([k, v]) => (typeof v === "string" ? [[k.toLowerCase(), v]] : [])));
}
