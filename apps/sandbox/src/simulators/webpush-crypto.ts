import { createDecipheriv, createECDH, hkdfSync, randomBytes, type ECDH } from "node:crypto";

/**
 * The user agent's half of Web Push message encryption: RFC 8291 key derivation over the
 * RFC 8188 `aes128gcm` content coding. The simulator plays the browser, so it holds the
 * subscription's private key and decrypts what application servers send.
 */
export interface SubscriptionKeys {
  ecdh: ECDH;
  /** Uncompressed P-256 point (65 bytes): the subscription's `p256dh`. */
  publicKey: Buffer;
  /** 16 random bytes: the subscription's `auth`. */
  authSecret: Buffer;
}

export function createSubscriptionKeys(): SubscriptionKeys {
  const ecdh = createECDH("prime256v1");
  const publicKey = ecdh.generateKeys();
  return { ecdh, publicKey, authSecret: randomBytes(16) };
}

const TAG_BYTES = 16;
const HEADER_FIXED_BYTES = 16 + 4 + 1; // salt, record size, key id length

export class DecryptionError extends Error {}

export function decryptAes128gcm(body: Buffer, keys: SubscriptionKeys): Buffer {
  if (body.length < HEADER_FIXED_BYTES) throw new DecryptionError("aes128gcm header is truncated");
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  // In Web Push the key id is the application server's ephemeral public key (RFC 8291 §4).
  const senderPublicKey = body.subarray(HEADER_FIXED_BYTES, HEADER_FIXED_BYTES + idLength);
  if (idLength !== 65 || senderPublicKey[0] !== 0x04) throw new DecryptionError("keyid is not an uncompressed P-256 public key");
  if (recordSize < TAG_BYTES + 2) throw new DecryptionError(`invalid record size ${recordSize}`);

  let sharedSecret: Buffer;
  try {
    sharedSecret = keys.ecdh.computeSecret(senderPublicKey);
  } catch {
    throw new DecryptionError("keyid is not a point on P-256");
  }
  // RFC 8291 §3.4: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" || 0x00 || ua_public || as_public, 32)
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), keys.publicKey, senderPublicKey]);
  const ikm = Buffer.from(hkdfSync("sha256", sharedSecret, keys.authSecret, keyInfo, 32));
  // RFC 8188 §2.2 / §2.3: content-encryption key and nonce from the salt.
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const baseNonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));

  const ciphertext = body.subarray(HEADER_FIXED_BYTES + idLength);
  if (ciphertext.length === 0) throw new DecryptionError("no records");
  const plaintext: Buffer[] = [];
  for (let offset = 0, seq = 0; offset < ciphertext.length; offset += recordSize, seq++) {
    const record = ciphertext.subarray(offset, offset + recordSize);
    const last = offset + recordSize >= ciphertext.length;
    plaintext.push(unpad(decryptRecord(record, cek, nonceFor(baseNonce, seq)), last));
  }
  return Buffer.concat(plaintext);
}

function decryptRecord(record: Buffer, key: Buffer, nonce: Buffer): Buffer {
  if (record.length <= TAG_BYTES) throw new DecryptionError("record too short");
  const decipher = createDecipheriv("aes-128-gcm", key, nonce);
  decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptionError("authentication tag mismatch (wrong keys or corrupted payload)");
  }
}

/** RFC 8188 §2.3: the record sequence number is XORed into the low bytes of the nonce. */
function nonceFor(base: Buffer, seq: number): Buffer {
  const nonce = Buffer.from(base);
  // Sequence numbers stay far below 2^32, so only the last four bytes change (JS bit ops are 32-bit).
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
  return nonce;
}

/** RFC 8188 §2: each record ends with a delimiter (0x02 for the last, 0x01 otherwise) then zeros. */
function unpad(padded: Buffer, last: boolean): Buffer {
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0) throw new DecryptionError("record has no padding delimiter");
  if (padded[end] !== (last ? 2 : 1)) throw new DecryptionError(`unexpected padding delimiter ${padded[end]}`);
  return padded.subarray(0, end);
}
