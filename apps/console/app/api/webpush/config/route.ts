import { requireWebPushDemo } from "../../../../lib/webpush-demo";
import { NextResponse } from "next/server";
import { errorResponse } from "../../../../lib/route-errors";
import { sandboxPushService, webPushPublicKey } from "../../../../lib/webpush";
import type { WebPushConfigResponse } from "../../../../lib/webpush-wire";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    await requireWebPushDemo();
    const [publicKey, sandbox] = await Promise.all([webPushPublicKey(), sandboxPushService()]);
    return NextResponse.json<WebPushConfigResponse>({ publicKey, sandbox });
  } catch (err) {
    return errorResponse(err);
  }
}
