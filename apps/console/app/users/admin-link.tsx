import Link from "next/link";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { isAdmin } from "../../lib/access";

/** A nav entry only admins see (the API refuses everyone else anyway; this keeps the nav honest). */
export async function AdminLink({ href, children }: { href: string; children: ReactNode }) {
  // Per request, never prerendered: whether the caller is an admin is not known at build time.
  await connection();
  return (await isAdmin()) ? <Link href={href}>{children}</Link> : null;
}
