import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:https";
import { connect } from "node:tls";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  createSandboxCredentials,
  ensureSandboxCredentials,
  readSandboxCredentials,
  type SandboxCredentials,
} from "./credentials.js";

describe("sandbox credentials", () => {
  let creds: SandboxCredentials;
  before(async () => {
    creds = await createSandboxCredentials();
  });

  test("provider identifiers have the real formats", () => {
    assert.match(creds.twilio.accountSid, /^AC[0-9a-f]{32}$/);
    assert.match(creds.twilio.authToken, /^[0-9a-f]{32}$/);
    assert.match(creds.twilio.messagingServiceSid, /^MG[0-9a-f]{32}$/);
    assert.match(creds.twilio.fromNumber, /^\+[1-9]\d{1,14}$/);
    assert.match(creds.postmark.serverToken, /^[0-9a-f-]{36}$/);
    assert.match(creds.apns.teamId, /^[A-Z0-9]{10}$/);
    assert.match(creds.apns.keyId, /^[A-Z0-9]{10}$/);
    assert.match(creds.fcm.clientEmail, /@notify-sandbox\.iam\.gserviceaccount\.com$/);
    assert.match(creds.webpush.subject, /^mailto:/);
  });

  test("APNs key is a PKCS#8 P-256 key (.p8) that signs ES256", () => {
    assert.match(creds.apns.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
    const key = createPrivateKey(creds.apns.privateKeyPem);
    assert.equal(key.asymmetricKeyType, "ec");
    assert.equal(key.asymmetricKeyDetails?.namedCurve, "prime256v1");
    const sig = sign("sha256", Buffer.from("x"), key);
    assert.ok(verify("sha256", Buffer.from("x"), creds.apns.publicKeyPem, sig));
  });

  test("FCM key is RSA 2048 PKCS#8", () => {
    assert.match(creds.fcm.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
    const key = createPrivateKey(creds.fcm.privateKeyPem);
    assert.equal(key.asymmetricKeyType, "rsa");
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(createPublicKey(creds.fcm.publicKeyPem).asymmetricKeyType, "rsa");
  });

  test("VAPID keys are a raw P-256 pair in base64url", () => {
    const pub = Buffer.from(creds.webpush.vapidPublicKey, "base64url");
    assert.equal(pub.length, 65);
    assert.equal(pub[0], 4);
    assert.equal(Buffer.from(creds.webpush.vapidPrivateKey, "base64url").length, 32);
    const jwk = { kty: "EC", crv: "P-256", x: pub.subarray(1, 33).toString("base64url"), y: pub.subarray(33).toString("base64url") };
    const key = createPrivateKey({ key: { ...jwk, d: creds.webpush.vapidPrivateKey }, format: "jwk" });
    const sig = sign("sha256", Buffer.from("x"), key);
    assert.ok(verify("sha256", Buffer.from("x"), createPublicKey({ key: jwk, format: "jwk" }), sig));
  });

  test("server cert is signed by the CA and names the provider hosts", () => {
    const ca = new X509Certificate(creds.tls.caCertPem);
    const cert = new X509Certificate(creds.tls.certPem);
    assert.ok(ca.ca);
    assert.ok(cert.verify(ca.publicKey));
    for (const name of ["localhost", "api.push.apple.com", "api.sandbox.push.apple.com", "fcm.googleapis.com", "oauth2.googleapis.com"]) {
      assert.equal(cert.checkHost(name), name);
    }
    assert.equal(cert.checkIP("127.0.0.1"), "127.0.0.1");
    assert.equal(cert.checkIP("::1"), "::1");
  });

  test("a TLS client trusting only the CA accepts the server as api.push.apple.com", async () => {
    const server = createServer({ cert: creds.tls.certPem, key: creds.tls.keyPem }, (_req, res) => res.end("ok"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port, servername: "api.push.apple.com", ca: creds.tls.caCertPem }, () => {
          resolve(socket.authorized);
          socket.end();
        });
        socket.on("error", reject);
      });
      assert.equal(authorized, true);
    } finally {
      server.close();
    }
  });
});

describe("credentials file", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sandbox-creds-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("ensure creates the file 0600 (with parent dirs), then keeps returning the same credentials", async () => {
    const file = join(dir, "nested", "dir", "credentials.json");
    const first = await ensureSandboxCredentials(file);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await ensureSandboxCredentials(file), first);
    assert.deepEqual(await readSandboxCredentials(file), first);
  });

  test("concurrent ensures agree on one set of credentials", async () => {
    const file = join(dir, "race", "credentials.json");
    const all = await Promise.all([ensureSandboxCredentials(file), ensureSandboxCredentials(file), ensureSandboxCredentials(file)]);
    const onDisk = JSON.parse(await readFile(file, "utf8"));
    for (const c of all) assert.deepEqual(c, onDisk);
  });

  test("read rejects a file that is not sandbox credentials", async () => {
    const file = join(dir, "bad.json");
    await writeFile(file, JSON.stringify({ postmark: { serverToken: "x" } }));
    await assert.rejects(readSandboxCredentials(file), /missing tls\.caCertPem/);
  });
});
