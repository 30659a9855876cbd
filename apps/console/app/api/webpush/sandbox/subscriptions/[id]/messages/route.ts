import { requireWebPushDemo } from "../../../../../../../lib/webpush-demo";
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "../../../../../../../lib/route-errors";
import { sandboxMessages } from "../../../../../../../lib/webpush";
import type { SandboxMessagesResponse } from "../../../../../../../lib/webpush-wire";

export const dynamic = "force-dynamic";

/** What the sandbox push service received (and decrypted) for one subscription, after a message id. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  try {
    await requireWebPushDemo();
    const { id } = await params;
    const messages = await sandboxMessages(id, request.nextUrl.searchParams.get("after"));
    return NextResponse.json<SandboxMessagesResponse>({ messages });
  } catch (err) {
    return errorResponse(err);
  }
}
