import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { open, resetKeyringCache, seal, SecretUnavailableError } from "./envelope";
import { keyId, loadKeyring } from "./keyring";

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const rowA = "6f1c6c1e-8a4f-4d55-9a34-0c8a1c0d2a11";
const rowB = "0b7c2a1f-2e4d-4e4c-8f5e-2d2b6a5f3c22";

describe("credential envelope", () => {
  beforeEach(() => {
    process.env.REGATTA_MASTER_KEY = k1.toString("base64");
    resetKeyringCache();
  });

  it("round-trips and records the key id, without the plaintext in the ciphertext", () => {
    const secret = JSON.stringify({ password: "hunter2-" + randomBytes(8).toString("hex") });
    const s = seal(rowA, secret);
    expect(s.keyId).toBe(keyId(k1));
    expect(Buffer.from(s.ciphertext).toString("latin1")).not.toContain("hunter2");
    expect(open(rowA, s)).toBe(secret);
  });

  it("does not open a ciphertext copied to another registry row", () => {
    const s = seal(rowA, "secret");
    expect(() => open(rowB, s)).toThrow(SecretUnavailableError);
  });

  it("rejects a tampered ciphertext", () => {
    const s = seal(rowA, "secret");
    s.ciphertext[0] ^= 1;
    expect(() => open(rowA, s)).toThrow(/do not decrypt/);
  });

  it("opens old ciphertexts with a second key and seals with the first", () => {
    const old = seal(rowA, "old secret");
    process.env.REGATTA_MASTER_KEY = `${k2.toString("hex")},${k1.toString("base64")}`;
    resetKeyringCache();
    expect(open(rowA, old)).toBe("old secret");
    expect(seal(rowA, "new").keyId).toBe(keyId(k2));
  });

  it("names a missing key instead of failing obscurely", () => {
    const s = seal(rowA, "x");
    process.env.REGATTA_MASTER_KEY = k2.toString("base64");
    resetKeyringCache();
    expect(() => open(rowA, s)).toThrow(`master key ${keyId(k1)}, which is not configured`);
  });

  it("refuses a master key of the wrong size", () => {
    process.env.REGATTA_MASTER_KEY = Buffer.alloc(16).toString("base64");
    expect(() => loadKeyring()).toThrow(/32 bytes/);
  });
});
