import type { MiddlewareFn } from "type-graphql";
import { InputError } from "../errors.js";

// Postgres stores no NUL in text (SQLSTATE 22021) or jsonb (22P05), and jsonb refuses an
// unpaired UTF-16 surrogate (JSON.stringify writes it as a \udXXX escape: 22P05 again).
const FORBIDDEN = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Global middleware: every string a caller sends (arguments, input objects, JSON scalars'
 * keys and values) is checked once, before any resolver or Prisma sees it, so a NUL byte
 * (or unpaired surrogate) is BAD_USER_INPUT (reason INVALID_CHARACTER) with the field path, not an internal
 * error carrying the database's message.
 */
export const rejectUnstorableText: MiddlewareFn = ({ args }, next) => {
  const at = findUnstorableText(args, []);
  if (at) throw new InputError("INVALID_CHARACTER", `${at} contains a NUL byte or an unpaired UTF-16 surrogate, which cannot be stored`, at);
  return next();
};

/** The path of the first string (or object key) holding a forbidden character, if any. */
export function findUnstorableText(value: unknown, path: (string | number)[]): string | null {
  if (typeof value === "string") return FORBIDDEN.test(value) ? path.join(".") : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object" && !(value instanceof Date)) {
    for (const [key, v] of Object.entries(value)) {
      if (FORBIDDEN.test(key)) return [...path, key].join(".");
      const found = findUnstorableText(v, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
