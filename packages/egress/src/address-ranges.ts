import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Whether an IP address is on the public Internet. ipaddr.js names every special-purpose range
 * (IANA registries): loopback, RFC 1918 private, unique-local (fc00::/7), link-local (which
 * holds the cloud metadata address 169.254.169.254), carrier-grade NAT (100.64.0.0/10, where
 * some clouds put theirs), multicast, broadcast, unspecified, reserved and documentation
 * blocks, and the IPv6 ranges that embed an IPv4 address (6to4, Teredo, NAT64). Only what it
 * calls "unicast" (none of those) is public; an IPv4-mapped IPv6 address (::ffff:127.0.0.1) is
 * judged as the IPv4 address it carries.
 */
export function addressRange(address: string): string {
  if (!ipaddr.isValid(address)) return "invalid";
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range();
}

export const isPublicAddress = (address: string): boolean => addressRange(address) === "unicast";

/**
 * The IP address a host names literally ("[::1]" as URLs write it included), or undefined for a
 * name. The same test as node:net's, which connects to such a host without any DNS lookup, so
 * a guard on lookups alone would never see it.
 */
export function ipLiteral(host: string): string | undefined {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return isIP(bare) ? bare : undefined;
}
