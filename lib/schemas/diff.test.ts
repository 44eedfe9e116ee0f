import { describe, expect, it } from "vitest";
import { diffQuery, formatDiffReference, splitDiffReference } from "./diff";

const ID = "6f0c2a4e-1b2c-4d3e-8f90-123456789abc";
const HEX = "a".repeat(64);

describe("diff references", () => {
  it.each([
    [`${ID}:acme/api:1.4.2`, { registryId: ID, repository: "acme/api", reference: "1.4.2" }],
    [`${ID}:acme/api:sha256:${HEX}`, { registryId: ID, repository: "acme/api", reference: `sha256:${HEX}` }],
    [`${ID}:acme/api@sha256:${HEX}`, { registryId: ID, repository: "acme/api", reference: `sha256:${HEX}` }],
    [`${ID}:a/b/c:latest`, { registryId: ID, repository: "a/b/c", reference: "latest" }],
  ])("splits %s", (s, want) => {
    expect(splitDiffReference(s)).toEqual(want);
    expect(splitDiffReference(formatDiffReference(want))).toEqual(want);
  });

  it.each(["", "acme/api", `${ID}:acme/api`, `${ID}:acme/api:`, `:acme/api:1`, `${ID}::1`])("refuses %j", (s) => {
    expect(splitDiffReference(s)).toBeNull();
  });

  it("names the side at fault", () => {
    const r = diffQuery.safeParse({ from: `${ID}:acme/api:1`, to: "staging:acme/api:1" });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toBe('to: "staging" is not a registry id');
    expect(diffQuery.safeParse({ to: `${ID}:acme/api:1` }).error!.issues[0].message).toBe("from is required");
    expect(diffQuery.safeParse({ from: "x".repeat(601), to: `${ID}:a:1` }).error!.issues[0].message).toMatch(/at most 600/);
  });
});
