import assert from "node:assert/strict";
import { createCipheriv, createECDH, hkdfSync } from "node:crypto";
import { describe, test } from "node:test";
import { decryptAes128gcm, DecryptionError, type SubscriptionKeys } from "./webpush-crypto.js";

const b64 = (s: string) => Buffer.from(s, "base64url");

// RFC 8291 Appendix A: the published example, byte for byte.
const RFC = {
  plaintext: "When I grow up, I want to be a watermelon",
  uaPrivate: "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
  uaPublic: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
  auth: "BTBZMqHH6r4Tts7J_aSIgg",
  salt: "DGv6ra1nlYgDCS1FRnbzlw",
  body:
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
};

function rfcKeys(): SubscriptionKeys {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(b64(RFC.uaPrivate));
  return { ecdh, publicKey: ecdh.getPublicKey(), authSecret: b64(RFC.auth) };
}

/** The application server's side, to build multi-record bodies (web-push always sends one record). */
function encrypt(plaintext: Buffer, keys: SubscriptionKeys, recordSize: number): Buffer {
  const as = createECDH("prime256v1");
  as.setPrivateKey(b64(RFC.asPrivate));
  const asPublic = as.getPublicKey();
  const salt = b64(RFC.salt);
  const info = Buffer.concat([Buffer.from("WebPush: info\0"), keys.publicKey, asPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", as.computeSecret(keys.publicKey), keys.authSecret, info, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const header = Buffer.alloc(21);
  salt.copy(header);
  header.writeUInt32BE(recordSize, 16);
  header[20] = asPublic.length;
  const chunk = recordSize - 17; // 16-byte tag + 1 delimiter byte per record
  const records: Buffer[] = [];
  for (let i = 0, seq = 0; i < plaintext.length || seq === 0; i += chunk, seq++) {
    const last = i + chunk >= plaintext.length;
    const n = Buffer.from(nonce);
    n.writeUInt32BE((n.readUInt32BE(8) ^ seq) >>> 0, 8);
    const cipher = createCipheriv("aes-128-gcm", cek, n);
    const padded = Buffer.concat([plaintext.subarray(i, i + chunk), Buffer.from([last ? 2 : 1])]);
    records.push(Buffer.concat([cipher.update(padded), cipher.final(), cipher.getAuthTag()]));
  }
  return Buffer.concat([header, asPublic, ...records]);
}

describe("aes128gcm decryption (RFC 8291 / RFC 8188)", () => {
  test("decrypts the RFC 8291 Appendix A example", () => {
    assert.equal(rfcKeys().publicKey.toString("base64url"), RFC.uaPublic);
    assert.equal(decryptAes128gcm(b64(RFC.body), rfcKeys()).toString("utf8"), RFC.plaintext);
  });

  test("the test encryptor reproduces the RFC body, so it can be trusted for the cases below", () => {
    assert.equal(encrypt(Buffer.from(RFC.plaintext), rfcKeys(), 4096).toString("base64url"), RFC.body);
  });

  test("decrypts bodies split into several records", () => {
    const text = Buffer.from("x".repeat(100) + "— multi-record ✓");
    assert.deepEqual(decryptAes128gcm(encrypt(text, rfcKeys(), 40), rfcKeys()), text);
  });

  test("rejects tampered ciphertext and the wrong keys", () => {
    const body = b64(RFC.body);
    body[body.length - 20] ^= 1;
    assert.throws(() => decryptAes128gcm(body, rfcKeys()), DecryptionError);
    const other = createECDH("prime256v1");
    other.generateKeys();
    assert.throws(() => decryptAes128gcm(b64(RFC.body), { ...rfcKeys(), ecdh: other }), DecryptionError);
    assert.throws(() => decryptAes128gcm(Buffer.alloc(10), rfcKeys()), DecryptionError);
  });
});
