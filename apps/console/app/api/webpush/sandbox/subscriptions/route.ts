import { requireWebPushDemo } from "../../../../../lib/webpush-demo";
import { NextResponse } from "next/server";
import { BadRouteInputError, errorResponse } from "../../../../../lib/route-errors";
import { createSandboxSubscription } from "../../../../../lib/webpush";
import type { SandboxSubscriptionResponse } from "../../../../../lib/webpush-wire";

/** In sandbox mode the page gets its subscription here instead of from pushManager.subscribe(). */
export async function POST(request: Request) {
  try {
    await requireWebPushDemo();
    const body = (await request.json().catch(() => null)) as { applicationServerKey?: unknown } | null;
    if (typeof body?.applicationServerKey !== "string") throw new BadRouteInputError("applicationServerKey (base64url) is required");
    return NextResponse.json<SandboxSubscriptionResponse>(await createSandboxSubscription(body.applicationServerKey), { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}
