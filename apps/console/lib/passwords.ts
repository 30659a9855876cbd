import "server-only";
import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with the library's defaults (m=19456 KiB, t=2, p=1: OWASP's minimum), the same
 * encoding the API's `users:add` CLI writes, so either side can verify what the other stored.
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword({ hash: stored, password }: { hash: string; password: string }): Promise<boolean> {
  // A row another tool wrote with another scheme is a failed sign-in, not a crash.
  if (!stored.startsWith("$argon2")) return false;
  return verify(stored, password).catch(() => false);
}
