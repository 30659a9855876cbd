/**
 * Counts the SMS segments a body will be billed as, the way carriers and Twilio's num_segments
 * do, so a SENT notification records its cost without waiting for the provider's later report.
 *
 * GSM-7 (3GPP TS 23.038): 160 septets alone, 153 per part once concatenated (the UDH takes 7).
 * Characters of the extension table cost two septets (escape + char) and are never split
 * across parts. Any character outside GSM-7 switches the whole body to UCS-2: 70 UTF-16 code
 * units alone, 67 per part, and a surrogate pair (e.g. an emoji) is never split.
 */

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  segments: number;
}

const GSM7_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM7_EXTENSION = new Set("\f^{}\\[~]|€");

const LIMITS: Record<SmsEncoding, { single: number; perPart: number }> = {
  "GSM-7": { single: 160, perPart: 153 },
  "UCS-2": { single: 70, perPart: 67 },
};

/** Fills parts greedily with indivisible units of the given sizes. */
function countParts(sizes: number[], { single, perPart }: { single: number; perPart: number }): number {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total <= single) return 1;
  let parts = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > perPart) {
      parts += 1;
      used = 0;
    }
    used += size;
  }
  return parts;
}

export function countSmsSegments(body: string): SmsSegmentCount {
  // Iterating a string yields code points, so a surrogate pair stays one unit of size 2.
  const chars = Array.from(body);
  const gsm = chars.every((c) => GSM7_BASIC.has(c) || GSM7_EXTENSION.has(c));
  if (gsm) return { encoding: "GSM-7", segments: countParts(chars.map((c) => (GSM7_EXTENSION.has(c) ? 2 : 1)), LIMITS["GSM-7"]) };
  return { encoding: "UCS-2", segments: countParts(chars.map((c) => c.length), LIMITS["UCS-2"]) };
}
