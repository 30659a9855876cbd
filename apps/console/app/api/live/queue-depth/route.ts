import { NextResponse } from "next/server";
import { queueDepth } from "../../../../lib/live";
import { errorResponse } from "../../../../lib/route-errors";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return NextResponse.json(await queueDepth(), { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
