import { requireWebPushDemo } from "../../../../lib/webpush-demo";
import { NextResponse } from "next/server";
import { BadRouteInputError, errorResponse } from "../../../../lib/route-errors";
import { registerWebDevice } from "../../../../lib/webpush";
import type { RegisterWebDeviceRequest, RegisterWebDeviceResponse } from "../../../../lib/webpush-wire";

/**
 * Registers this browser's subscription as a WEB device of a recipient, as the signed-in user
 * (sandbox mode, ADMIN or SUPPORT only: requireWebPushDemo). The API validates the endpoint and
 * keys; this only checks the request's shape.
 */
export async function POST(request: Request) {
  try {
    await requireWebPushDemo();
    const { externalId, endpoint, keys } = parse(await request.json().catch(() => null));
    const device = await registerWebDevice(externalId, endpoint, keys);
    return NextResponse.json<RegisterWebDeviceResponse>({ device }, { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}

function parse(body: unknown): { externalId: string; endpoint: string; keys: { p256dh: string; auth: string } } {
  const b = (body ?? {}) as Partial<RegisterWebDeviceRequest>;
  const externalId = typeof b.externalId === "string" ? b.externalId.trim() : "";
  if (!externalId) throw new BadRouteInputError("externalId is required");
  const { endpoint, keys } = b.subscription ?? {};
  if (typeof endpoint !== "string" || typeof keys?.p256dh !== "string" || typeof keys?.auth !== "string") {
    throw new BadRouteInputError("subscription must be a PushSubscription's JSON: {endpoint, keys: {p256dh, auth}}");
  }
  return { externalId, endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
}
