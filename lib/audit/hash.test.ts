import { describe, expect, it } from "vitest";
import { canonicalJson, eventHash, GENESIS_HASH } from "./hash";

const base = {
  at: new Date("2026-01-02T03:04:05.678Z"), actorKind: "USER", actor: "a@example.com", action: "registry.create",
  registryId: null, repository: null, tag: null, digest: null, previousDigest: null, sourceAddress: null, outcome: "success",
  details: { b: 1, a: [1, { d: 2, c: 3 }] },
};

describe("audit hash chain", () => {
  it("does not depend on the key order jsonb gives back", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(eventHash(GENESIS_HASH, base)).toBe(eventHash(GENESIS_HASH, { ...base, details: { a: [1, { c: 3, d: 2 }], b: 1 } }));
  });

  it("changes with any field and with the previous hash", () => {
    const h = eventHash(GENESIS_HASH, base);
    expect(eventHash(GENESIS_HASH, { ...base, actor: "b@example.com" })).not.toBe(h);
    expect(eventHash(GENESIS_HASH, { ...base, at: new Date(base.at.getTime() + 1) })).not.toBe(h);
    expect(eventHash("1".repeat(64), base)).not.toBe(h);
  });
});
