import { createClient, type Client } from "graphql-ws";
import type { NextRequest } from "next/server";
import WebSocket from "ws";
import { consoleEnv } from "../../../../lib/env";
import { consoleIdentity } from "../../../../lib/identity";
import { DELIVERY_EVENTS } from "../../../../lib/live";
import { SSE, type LiveEvent } from "../../../../lib/live-wire";
import { errorResponse } from "../../../../lib/route-errors";
import { requireViewerApp } from "../../../../lib/viewer";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// Comments keep idle proxies (and the browser's EventSource) from dropping a quiet stream.
const HEARTBEAT_MS = 15_000;

/**
 * The API's deliveryEvents subscription, relayed to the browser as Server-Sent Events. The
 * console's server holds the graphql-ws connection as the signed-in user (X-Console-Identity in
 * connectionParams: the API checks the membership when the socket connects); one upstream subscription per open page, closed when the page goes.
 * Events: `ready` once the API accepted the connection, `delivery` per event, `problem` when the
 * API refuses or drops it (EventSource then reconnects by itself).
 */
export async function GET(req: NextRequest) {
  const env = consoleEnv();
  let identity: string;
  try {
    const viewer = await requireViewerApp();
    identity = await consoleIdentity(viewer.user.id, viewer.app.id);
  } catch (err) {
    return errorResponse(err);
  }
  const params = req.nextUrl.searchParams;
  const variables = { externalId: params.get("externalId") || null, templateKey: params.get("templateKey") || null };
  const encoder = new TextEncoder();
  let client: Client | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (chunk: string) => {
        if (!closed) controller.enqueue(encoder.encode(chunk));
      };
      const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        void client?.dispose();
        controller.close();
      };

      client = createClient({
        url: `${env.apiUrl.replace(/^http/, "ws")}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { "x-console-identity": identity },
        // The browser's EventSource reconnects; a second layer of retries here would only hide an outage.
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: (err) => {
          send(SSE.problem, { error: describe(err) });
          close();
        },
      });
      client.on("connected", () => send(SSE.ready, { filter: variables }));
      client.subscribe<{ deliveryEvents: LiveEvent }>(
        { query: DELIVERY_EVENTS, variables },
        {
          next: (msg) => {
            if (msg.errors?.length) send(SSE.problem, { error: msg.errors.map((e) => e.message).join("; ") });
            else if (msg.data) send(SSE.delivery, msg.data.deliveryEvents);
          },
          error: (err) => {
            send(SSE.problem, { error: describe(err) });
            close();
          },
          complete: close,
        },
      );
      heartbeat = setInterval(() => write(": heartbeat\n\n"), HEARTBEAT_MS);
      req.signal.addEventListener("abort", close);
    },
    cancel() {
      closed = true;
      clearInterval(heartbeat);
      void client?.dispose();
    },
  });

  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" },
  });
}

/** graphql-ws reports a refused or dropped socket as a CloseEvent, an Error, or GraphQL errors. */
function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (Array.isArray(err)) return err.map((e: { message?: string }) => e.message ?? String(e)).join("; ");
  const close = err as { code?: number; reason?: string };
  if (close && typeof close.code === "number") return `The API closed the live connection (${close.code}${close.reason ? `: ${close.reason}` : ""})`;
  return String(err);
}
