import { describe, expect, it } from "vitest";
import { manifestQuery } from "./browse";
import { protectionRuleSchema } from "./promotion";
import { digest, isDigest, isRepositoryName, isTagName, reference, repositoryName, tagName } from "./names";

describe("OCI names", () => {
  it("accepts what distribution accepts", () => {
    for (const r of ["library/nginx", "a", "team/api", "a.b_c__d---e/f0", `${"a".repeat(127)}/${"b".repeat(127)}`]) expect(isRepositoryName(r)).toBe(true);
    for (const t of ["latest", "v1.2.3", "_x", "A-b.c_d", "x".repeat(128)]) expect(isTagName(t)).toBe(true);
    expect(isDigest(`sha256:${"a".repeat(64)}`)).toBe(true);
  });

  it("refuses oversize and malformed names", () => {
    for (const r of ["", "Team/api", "/a", "a/", "a//b", "a..b", "-a", "a b", "a:b", "a".repeat(256), `${"a".repeat(200)}/${"b".repeat(60)}`]) expect(isRepositoryName(r)).toBe(false);
    for (const t of ["", ".x", "-x", "x".repeat(129), "a/b", "a:b", "ü"]) expect(isTagName(t)).toBe(false);
    for (const d of ["sha256:abc", `sha256:${"A".repeat(64)}`, `md5:${"a".repeat(32)}`, `sha256:${"a".repeat(65)}`]) expect(isDigest(d)).toBe(false);
  });

  it("refuses a megabyte name quickly with the limit in the message", () => {
    const huge = "a".repeat(1 << 20);
    const started = performance.now();
    for (const schema of [repositoryName, tagName, digest, reference]) {
      const r = schema.safeParse(huge);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(/at most|not a digest|a tag/);
    }
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("is what the schemas of the routes use", () => {
    expect(manifestQuery.safeParse({ repository: "a/b", reference: "v1" }).success).toBe(true);
    expect(manifestQuery.safeParse({ repository: "a/b", reference: `sha256:${"0".repeat(64)}` }).success).toBe(true);
    expect(manifestQuery.safeParse({ repository: "a/b", reference: "x".repeat(200) }).success).toBe(false);
    expect(manifestQuery.safeParse({ repository: "A/b", reference: "v1" }).success).toBe(false);
  });

  it("validates protection-rule globs with a reason", () => {
    expect(protectionRuleSchema.safeParse({ repositoryGlob: "*", tagGlob: "v{1,2}.*" }).success).toBe(true);
    const bad = protectionRuleSchema.safeParse({ repositoryGlob: "*", tagGlob: "v{1,2" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toContain("no closing }");
    expect(protectionRuleSchema.safeParse({ repositoryGlob: "*".repeat(300), tagGlob: "*" }).success).toBe(false);
  });
});
