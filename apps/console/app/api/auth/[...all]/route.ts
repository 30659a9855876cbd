import { toNextJsHandler } from "better-auth/next-js";
import { auth } from "../../../../lib/auth";

export const dynamic = "force-dynamic";

// Built on the first request; every better-auth endpoint (sign-in, sign-out, OAuth callback, reset).
const handler = () => toNextJsHandler(auth());

export const GET = (req: Request) => handler().GET(req);
export const POST = (req: Request) => handler().POST(req);
