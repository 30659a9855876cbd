import { createHmac } from "node:crypto";

/**
 * Twilio's X-Twilio-Signature: HMAC-SHA1 keyed with the auth token over the full callback URL
 * followed by every POST parameter as name+value, names sorted (repeated names once per value,
 * values sorted), base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => {
      const value = params[name];
      const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
      return acc + values.map((v) => name + v).join("");
    }, url);
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf-8")).digest("base64");
}
