import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { parsePublicKey, payloadDigest, verifyAny, verifySignature, type FoundSignature } from "./cosign";

const subject = `sha256:${"a1".repeat(32)}`;
const other = `sha256:${"b2".repeat(32)}`;
const pem = (k: crypto.KeyObject) => k.export({ type: "spki", format: "pem" }).toString();
const pair = (kind: "ec" | "ed25519" | "rsa", opt: Record<string, unknown> = {}) =>
  crypto.generateKeyPairSync(kind as "ec", (kind === "ec" ? { namedCurve: "P-256", ...opt } : kind === "rsa" ? { modulusLength: 2048, ...opt } : opt) as unknown as crypto.ECKeyPairKeyObjectOptions);
// the Simple Signing payload of sigstore/cosign specs/SIGNATURE_SPEC.md, with cosign's own capitalisation
const payload = (digest: string) => Buffer.from(JSON.stringify({ critical: { identity: { "docker-reference": "r/x" }, image: { "Docker-manifest-digest": digest }, type: "cosign container image signature" }, optional: null }));
const sign = (key: crypto.KeyObject, p: Buffer) => crypto.sign(key.asymmetricKeyType === "ed25519" ? null : "sha256", p, key).toString("base64");
const found = (p: Buffer, signature: string | undefined): FoundSignature => ({ payload: p, signature, source: "tag" });

describe("cosign key-based verification", () => {
  const ec = pair("ec");
  const keys = [{ id: "k1", name: "release key", publicKeyPem: pem(ec.publicKey) }];

  it.each(["ec", "ed25519", "rsa"] as const)("verifies a good %s signature and names the key", (kind) => {
    const k = kind === "ec" ? ec : pair(kind);
    const v = verifySignature(found(payload(subject), sign(k.privateKey, payload(subject))), subject, [{ id: "x", name: "other", publicKeyPem: pem(pair("ec").publicKey) }, { id: "k", name: `${kind} key`, publicKeyPem: pem(k.publicKey) }]);
    expect(v).toEqual({ ok: true, keyId: "k", keyName: `${kind} key`, source: "tag" });
  });

  it("refuses a signature by a key that is not configured", () => {
    const stranger = pair("ec");
    const v = verifySignature(found(payload(subject), sign(stranger.privateKey, payload(subject))), subject, keys);
    expect(v).toEqual({ ok: false, reason: "no configured signing key verifies the signature" });
  });

  it("refuses a tampered payload", () => {
    const p = payload(subject);
    const sig = sign(ec.privateKey, p);
    const tampered = Buffer.from(p.toString().replace("r/x", "r/y"));
    expect(verifySignature(found(tampered, sig), subject, keys)).toMatchObject({ ok: false });
  });

  it("refuses a valid signature over another digest", () => {
    const p = payload(other);
    expect(verifySignature(found(p, sign(ec.privateKey, p)), subject, keys)).toEqual({ ok: false, reason: `the signature is for ${other}, not ${subject}` });
  });

  it("refuses a layer without the signature annotation, a junk signature and a payload that is no JSON", () => {
    expect(verifySignature(found(payload(subject), undefined), subject, keys)).toMatchObject({ ok: false, reason: expect.stringContaining("annotation") });
    expect(verifySignature(found(payload(subject), "!!!"), subject, keys)).toMatchObject({ ok: false });
    expect(verifySignature(found(Buffer.from("not json"), sign(ec.privateKey, Buffer.from("not json"))), subject, keys)).toEqual({ ok: false, reason: "the signature payload is not JSON" });
    expect(payloadDigest(Buffer.from("{\"critical\":{}}"))).toEqual({ error: expect.stringContaining("docker-manifest-digest") });
  });

  it("any verified signature wins; none found is null", () => {
    const bad = found(payload(other), sign(ec.privateKey, payload(other)));
    const good = found(payload(subject), sign(ec.privateKey, payload(subject)));
    expect(verifyAny([bad, good], subject, keys)).toMatchObject({ ok: true, keyName: "release key" });
    expect(verifyAny([bad], subject, keys)).toMatchObject({ ok: false });
    expect(verifyAny([], subject, keys)).toBeNull();
  });
});

describe("public key validation", () => {
  it("accepts ECDSA P-256, Ed25519 and RSA ≥ 2048", () => {
    expect(parsePublicKey(pem(pair("ec").publicKey)).algorithm).toBe("ecdsa-p256");
    expect(parsePublicKey(pem(pair("ed25519").publicKey)).algorithm).toBe("ed25519");
    expect(parsePublicKey(pem(pair("rsa").publicKey)).algorithm).toBe("rsa");
  });

  it.each([
    ["a P-384 key", () => pem(pair("ec", { namedCurve: "secp384r1" }).publicKey), /P-256/],
    ["a 1024-bit RSA key", () => pem(pair("rsa", { modulusLength: 1024 }).publicKey), /2048/],
    ["a private key", () => pair("ec").privateKey.export({ type: "pkcs8", format: "pem" }).toString(), /BEGIN PUBLIC KEY/],
    ["an X25519 key", () => pem(crypto.generateKeyPairSync("x25519").publicKey), /not supported/],
    ["junk inside the PEM armour", () => "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", /not a readable/],
    ["no PEM at all", () => "ssh-ed25519 AAAA", /BEGIN PUBLIC KEY/],
  ])("refuses %s", (_, make, message) => {
    expect(() => parsePublicKey(make())).toThrow(message);
  });
});
