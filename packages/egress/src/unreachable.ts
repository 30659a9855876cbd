/**
 * The one code for "we could not reach that destination", whatever the socket said. A stored
 * or returned ECONNREFUSED vs ECONNRESET vs ETIMEDOUT tells whoever chose the address which
 * ports are open behind it: with user-given addresses, a raw socket error is a port scanner.
 */
export const ENDPOINT_UNREACHABLE = "ENDPOINT_UNREACHABLE";

/** The message stored with ENDPOINT_UNREACHABLE: names the service, never the network's answer. */
export const unreachableMessage = (service: string) => `${service}: the destination could not be reached`;
