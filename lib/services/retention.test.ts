import { describe, expect, it } from "vitest";
import { compareVersions, parseVersion, type Version } from "./retention";

const sorted = (tags: string[]) => [...tags].sort((a, b) => compareVersions(parseVersion(a) as Version, parseVersion(b) as Version));

describe("retention version order", () => {
  it("orders numerically, pre-releases before their release, v-prefix and short forms alike", () => {
    expect(sorted(["1.10.0", "1.2.0", "v1.9.3", "1.2.0-rc.10", "1.2.0-rc.2", "2"])).toEqual(["1.2.0-rc.2", "1.2.0-rc.10", "1.2.0", "v1.9.3", "1.10.0", "2"]);
    expect(compareVersions(parseVersion("1.2")!, parseVersion("v1.2.0")!)).toBe(0);
    expect(parseVersion("1.2")).toEqual({ major: 1, minor: 2, patch: 0, pre: undefined });
  });

  it("treats names that are not versions as such", () => {
    for (const t of ["latest", "main-abc123", "1.2.3.4", "sha-1.2.3", "1.2.3_x", "9".repeat(20)]) expect(parseVersion(t)).toBeNull();
  });
});
