import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import net, { type AddressInfo, type LookupFunction } from "node:net";
import { after, before, describe, test } from "node:test";
import { fetch } from "undici";
import { addressRange, EgressPolicy, isEgressRefusal, webPushEgressPolicy } from "./index.js";

/** A resolver that answers from a table, as a rebinding DNS server would. */
function fakeLookup(table: Record<string, string[]>): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const fn = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }));
    const list: LookupAddress[] = addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    if (options.all) callback(null, list);
    else callback(null, list[0]!.address, list[0]!.family);
  }) as unknown as LookupFunction & { calls: string[] };
  fn.calls = calls;
  return fn;
}

describe("address ranges", () => {
  test("loopback, private, ULA, link-local (metadata), CGNAT, multicast, unspecified and IPv4-embedding IPv6 are not public", () => {
    for (const address of [
      "127.0.0.1",
      "127.255.0.9",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "100.100.100.200",
      "224.0.0.1",
      "0.0.0.0",
      "255.255.255.255",
      "::",
      "::1",
      "fc00::1",
      "fd00:ec2::254",
      "fe80::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "2002:7f00:1::",
      "64:ff9b::7f00:1",
    ]) {
      assert.notEqual(addressRange(address), "unicast", address);
    }
  });
  test("public addresses are", () => {
    for (const address of ["8.8.8.8", "142.250.74.106", "2a00:1450:4001:80b::200a", "::ffff:8.8.8.8"]) assert.equal(addressRange(address), "unicast", address);
  });
});

describe("checkDestination (Web Push policy)", () => {
  const policy = webPushEgressPolicy({ sandbox: { host: "127.0.0.1", port: 4015 } });
  const reason = (url: string) => {
    const check = policy.checkDestination(url);
    return check.ok ? "ok" : check.reason;
  };

  test("the real push services' endpoints are accepted", () => {
    assert.equal(reason("https://fcm.googleapis.com/fcm/send/abc:def"), "ok");
    assert.equal(reason("https://updates.push.services.mozilla.com/wpush/v2/gAAAA"), "ok");
    assert.equal(reason("https://web.push.apple.com/QGuQyavXutnMH"), "ok");
    assert.equal(reason("https://wns2-par02p.notify.windows.com/w/?token=AgY"), "ok");
    assert.equal(reason("https://FCM.googleapis.com./fcm/send/x"), "ok");
  });

  test("anything else is refused with a reason", () => {
    assert.equal(reason("https://127.0.0.1:4999/x"), "HOST_NOT_ALLOWED");
    assert.equal(reason("https://[::1]/x"), "HOST_NOT_ALLOWED");
    assert.equal(reason("https://169.254.169.254/latest/meta-data"), "HOST_NOT_ALLOWED");
    assert.equal(reason("https://fcm.googleapis.com.evil.example/x"), "HOST_NOT_ALLOWED");
    assert.equal(reason("https://evilfcm.googleapis.com/x"), "HOST_NOT_ALLOWED");
    assert.equal(reason("https://notify.windows.com/x"), "HOST_NOT_ALLOWED");
    assert.equal(reason("https://fcm.googleapis.com:8443/x"), "PORT_NOT_ALLOWED");
    assert.equal(reason("http://fcm.googleapis.com/x"), "PROTOCOL_NOT_ALLOWED");
    assert.equal(reason("https://user:pw@fcm.googleapis.com/x"), "CREDENTIALS_IN_URL");
    assert.equal(reason("not a url"), "MALFORMED_URL");
  });

  test("the sandbox simulator only when configured, and only on its own port", () => {
    assert.equal(reason("https://127.0.0.1:4015/push/abc"), "ok");
    assert.equal(reason("https://127.0.0.1:4016/push/abc"), "HOST_NOT_ALLOWED");
    assert.equal(webPushEgressPolicy().checkDestination("https://127.0.0.1:4015/push/abc").ok, false);
  });

  test("a policy without a host list still refuses non-public literal addresses (webhook URLs)", () => {
    const open = new EgressPolicy({ protocols: ["https:", "http:"] });
    assert.deepEqual(open.checkDestination("http://10.0.0.5:8080/hook"), { ok: false, reason: "ADDRESS_NOT_ALLOWED", message: "10.0.0.5 is not a public address" });
    assert.equal(open.checkDestination("http://[::ffff:7f00:1]/hook").ok, false);
    assert.equal(open.checkDestination("https://hooks.example.com/x").ok, true);
  });
});

describe("connect time: the resolved address is checked, so DNS rebinding does not pass", () => {
  let server: net.Server;
  let port: number;
  let connections = 0;

  before(async () => {
    // A service on loopback, as a database or an admin port would be: it must see no connection.
    server = http.createServer((_req, res) => res.end("internal")).on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const request = (agent: http.Agent, url: string) =>
    new Promise<string>((resolve, reject) => {
      const mod = url.startsWith("https:") ? https : http;
      mod.get(url, { agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(String(res.statusCode)));
      }).on("error", reject);
    });

  test("https agent: a name that resolves to 127.0.0.1 is refused before any socket opens", async () => {
    const lookup = fakeLookup({ "push.rebind.example": ["127.0.0.1"] });
    const policy = new EgressPolicy({ lookup });
    // Accepted at acceptance time (the name says nothing), refused at connect time.
    assert.equal(policy.checkDestination(`https://push.rebind.example:${port}/x`).ok, true);
    const before = connections;
    const err = await request(policy.httpsAgent(), `https://push.rebind.example:${port}/x`).then(() => null, (e: unknown) => e);
    assert.ok(isEgressRefusal(err), `expected a refusal, got ${String(err)}`);
    assert.equal((err as { reason: string }).reason, "ADDRESS_NOT_ALLOWED");
    assert.deepEqual(lookup.calls, ["push.rebind.example"]);
    assert.equal(connections, before, "the loopback service saw a connection");
  });

  test("the Web Push policy: fcm.googleapis.com answering 127.0.0.1 is refused too", async () => {
    const policy = webPushEgressPolicy({ lookup: fakeLookup({ "fcm.googleapis.com": ["142.250.74.106", "127.0.0.1"] }) });
    const before = connections;
    const err = await request(policy.httpsAgent(), "https://fcm.googleapis.com/fcm/send/x").then(() => null, (e: unknown) => e);
    assert.ok(isEgressRefusal(err), `expected a refusal, got ${String(err)}`);
    assert.equal(connections, before);
  });

  test("a literal IP bypasses DNS, so the agent checks it itself", async () => {
    const policy = new EgressPolicy({ protocols: ["http:", "https:"] });
    const before = connections;
    for (const url of [`http://127.0.0.1:${port}/x`, `https://127.0.0.1:${port}/x`, `http://[::ffff:127.0.0.1]:${port}/x`]) {
      const agent = url.startsWith("https:") ? policy.httpsAgent() : policy.httpAgent();
      const err = await request(agent, url).then(() => null, (e: unknown) => e);
      assert.ok(isEgressRefusal(err), `${url}: expected a refusal, got ${String(err)}`);
    }
    assert.equal(connections, before);
  });

  test("undici dispatcher (fetch): the same refusal", async () => {
    const policy = new EgressPolicy({ protocols: ["http:"], lookup: fakeLookup({ "hook.rebind.example": ["10.0.0.1", "127.0.0.1"] }) });
    const before = connections;
    for (const url of [`http://hook.rebind.example:${port}/x`, `http://127.0.0.1:${port}/x`]) {
      const err = await fetch(url, { dispatcher: policy.dispatcher() }).then(() => null, (e: Error) => e.cause);
      assert.ok(isEgressRefusal(err), `${url}: expected a refusal, got ${String(err)}`);
    }
    assert.equal(connections, before);
  });

  test("a trusted origin (the sandbox, in sandbox mode) connects; the same host on another port does not", async () => {
    const policy = new EgressPolicy({ protocols: ["http:"], trustedOrigins: [{ host: "127.0.0.1", port }] });
    assert.equal(await request(policy.httpAgent(), `http://127.0.0.1:${port}/x`), "200");
    const res = await fetch(`http://127.0.0.1:${port}/x`, { dispatcher: policy.dispatcher() });
    assert.equal(await res.text(), "internal");
    const err = await request(policy.httpAgent(), `http://127.0.0.1:${port + 1}/x`).then(() => null, (e: unknown) => e);
    assert.ok(isEgressRefusal(err));
  });

  test("a public answer is what the socket gets (the guard is not a blanket refusal); a documentation-range one is refused", async () => {
    const policy = new EgressPolicy({ lookup: fakeLookup({ "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"], "doc.example": ["192.0.2.1"] }) });
    const one = await new Promise<unknown[]>((resolve) => policy.guardedLookup("public.example", { family: 0 }, (...args) => resolve(args)));
    assert.deepEqual(one, [null, "93.184.215.14", 4]);
    const all = await new Promise<unknown[]>((resolve) => policy.guardedLookup("public.example", { all: true }, (...args) => resolve(args)));
    assert.equal((all[1] as LookupAddress[]).length, 2);
    const doc = await new Promise<unknown[]>((resolve) => policy.guardedLookup("doc.example", { all: true }, (...args) => resolve(args)));
    assert.ok(isEgressRefusal(doc[0]));
  });
});
