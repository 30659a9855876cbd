/**
 * How many SMS segments a body takes, as carriers (and Twilio's num_segments) count them:
 * GSM-7 fits 160 septets in one segment or 153 per part of a concatenated message; anything
 * outside GSM-7 forces UCS-2, 70 UTF-16 units alone or 67 per part. A part never splits an
 * escape sequence or a surrogate pair.
 */

const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** Characters reached through the escape code, so they cost two septets. */
const GSM7_EXTENDED = "\f^{}\\[~]|€";

const basic = new Set(GSM7_BASIC);
const extended = new Set(GSM7_EXTENDED);

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SmsSegmentation {
  encoding: SmsEncoding;
  segments: number;
}

/** Packs items of the given sizes into parts of `perPart`, never splitting an item. */
function pack(sizes: number[], single: number, perPart: number): number {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total <= single) return 1;
  let parts = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > perPart) {
      parts++;
      used = 0;
    }
    used += size;
  }
  return parts;
}

export function smsSegments(body: string): SmsSegmentation {
  const chars = [...body];
  if (chars.every((c) => basic.has(c) || extended.has(c))) {
    return { encoding: "GSM-7", segments: pack(chars.map((c) => (extended.has(c) ? 2 : 1)), 160, 153) };
  }
  return { encoding: "UCS-2", segments: pack(chars.map((c) => c.length), 70, 67) };
}
