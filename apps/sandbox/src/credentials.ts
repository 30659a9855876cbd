import { generateKeyPair, randomBytes, randomUUID } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { generate as generateCert } from "selfsigned";

/**
 * Credentials in the real providers' formats, so the official SDKs accept them unchanged and
 * sign/authenticate exactly as in production; the simulators verify with the same values.
 */
export interface SandboxCredentials {
  tls: { caCertPem: string; certPem: string; keyPem: string };
  postmark: { serverToken: string; webhookUsername: string; webhookPassword: string };
  twilio: { accountSid: string; authToken: string; fromNumber: string; messagingServiceSid: string };
  apns: { teamId: string; keyId: string; privateKeyPem: string; publicKeyPem: string; bundleId: string };
  fcm: { projectId: string; clientEmail: string; privateKeyId: string; privateKeyPem: string; publicKeyPem: string };
  webpush: { vapidPublicKey: string; vapidPrivateKey: string; subject: string };
}

/** Host names the SDKs connect to (some are hard-coded in them), all served by the simulators' cert. */
export const TLS_DNS_NAMES = [
  "localhost",
  "api.push.apple.com",
  "api.sandbox.push.apple.com",
  "api.development.push.apple.com",
  "fcm.googleapis.com",
  "oauth2.googleapis.com",
  "www.googleapis.com",
];
export const TLS_IPS = ["127.0.0.1", "::1"];

const generateKeyPairAsync = promisify(generateKeyPair);
const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const APPLE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const appleId = () => Array.from(randomBytes(10), (b) => APPLE_ID_ALPHABET[b % APPLE_ID_ALPHABET.length]).join("");
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

async function createTls(): Promise<SandboxCredentials["tls"]> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + TEN_YEARS_MS);
  const ca = await generateCert(
    [
      { name: "commonName", value: "Notify Sandbox CA" },
      { name: "organizationName", value: "Notify Sandbox" },
    ],
    {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  );
  const server = await generateCert([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [...TLS_DNS_NAMES.map((value) => ({ type: 2 as const, value })), ...TLS_IPS.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { caCertPem: ca.cert, certPem: server.cert, keyPem: server.private };
}

async function ecP256Pem(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await generateKeyPairAsync("ec", {
    namedCurve: "prime256v1",
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

async function rsa2048Pem(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await generateKeyPairAsync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** VAPID keys as web-push's generateVAPIDKeys() makes them: raw P-256 points, base64url. */
async function vapidKeys(): Promise<{ vapidPublicKey: string; vapidPrivateKey: string }> {
  const { privateKey, publicKey } = await generateKeyPairAsync("ec", { namedCurve: "prime256v1" });
  const pub = publicKey.export({ format: "jwk" });
  const priv = privateKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(pub.x!, "base64url"), Buffer.from(pub.y!, "base64url")]);
  return { vapidPublicKey: point.toString("base64url"), vapidPrivateKey: priv.d! };
}

export async function createSandboxCredentials(): Promise<SandboxCredentials> {
  const [tls, apnsKey, fcmKey, vapid] = await Promise.all([createTls(), ecP256Pem(), rsa2048Pem(), vapidKeys()]);
  const projectId = "notify-sandbox";
  return {
    tls,
    postmark: {
      serverToken: randomUUID(),
      webhookUsername: "postmark-webhook",
      webhookPassword: randomBytes(18).toString("base64url"),
    },
    twilio: {
      accountSid: `AC${hex(16)}`,
      authToken: hex(16),
      // Twilio's magic "valid sender" number from its test credentials.
      fromNumber: "+15005550006",
      messagingServiceSid: `MG${hex(16)}`,
    },
    apns: { teamId: appleId(), keyId: appleId(), ...apnsKey, bundleId: "dev.notify.sandbox" },
    fcm: {
      projectId,
      clientEmail: `firebase-adminsdk-${hex(3).slice(0, 5)}@${projectId}.iam.gserviceaccount.com`,
      privateKeyId: hex(20),
      ...fcmKey,
    },
    webpush: { ...vapid, subject: "mailto:sandbox@notify.test" },
  };
}

const REQUIRED: Record<keyof SandboxCredentials, string[]> = {
  tls: ["caCertPem", "certPem", "keyPem"],
  postmark: ["serverToken", "webhookUsername", "webhookPassword"],
  twilio: ["accountSid", "authToken", "fromNumber", "messagingServiceSid"],
  apns: ["teamId", "keyId", "privateKeyPem", "publicKeyPem", "bundleId"],
  fcm: ["projectId", "clientEmail", "privateKeyId", "privateKeyPem", "publicKeyPem"],
  webpush: ["vapidPublicKey", "vapidPrivateKey", "subject"],
};

function assertCredentials(value: unknown, file: string): asserts value is SandboxCredentials {
  const missing: string[] = [];
  for (const [section, fields] of Object.entries(REQUIRED)) {
    const s = (value as Record<string, Record<string, unknown> | undefined> | null)?.[section];
    for (const f of fields) if (typeof s?.[f] !== "string" || s[f] === "") missing.push(`${section}.${f}`);
  }
  if (missing.length) throw new Error(`${file} is not a sandbox credentials file (missing ${missing.join(", ")})`);
}

export async function readSandboxCredentials(file: string): Promise<SandboxCredentials> {
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
  assertCredentials(parsed, file);
  return parsed;
}

/**
 * Loads the file, or creates it. The sandbox and the workers may both start at once, so the
 * file is published with link(), which fails if another process got there first; the loser
 * then reads the winner's credentials instead of overwriting them.
 */
export async function ensureSandboxCredentials(file: string): Promise<SandboxCredentials> {
  try {
    return await readSandboxCredentials(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const credentials = await createSandboxCredentials();
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  try {
    await link(tmp, file);
    return credentials;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return readSandboxCredentials(file);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
