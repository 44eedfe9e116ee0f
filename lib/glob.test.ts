import { describe, expect, it } from "vitest";
import { globProblem, GLOB_MAX_ALTERNATIVES } from "./glob";
import { compileGlob, globMatch } from "./glob-match";

describe("glob syntax", () => {
  it.each([
    ["*", "anything/at/all", true],
    ["v1.4.*", "v1.4.12", true],
    ["v1.4.*", "v1.40", false],
    ["v00?5", "v0015", true],
    ["v00?5", "v005", false],
    ["tag-000{1,2}", "tag-0001", true],
    ["tag-000{1,2}", "tag-0002", true],
    ["tag-000{1,2}", "tag-0003", false],
    ["{dev,prod}-{a,b{1,2}}", "prod-b2", true],
    ["{dev,prod}-{a,b{1,2}}", "prod-b3", false],
    ["rc[0-9]", "rc7", true],
    ["rc[0-9]", "rcx", false],
    ["rc[!0-9]", "rcx", true],
    ["rc[^0-9]", "rc1", false],
    ["[]]x", "]x", true],
    ["a\\*b", "a*b", true],
    ["a\\*b", "axb", false],
    ["team/*", "team/a/b", true],
    ["team/**", "team/a", true],
    ["1.0+build", "1.0+build", true],
    ["a.b", "axb", false],
    ["(x)|y", "(x)|y", true],
    ["^$", "^$", true],
  ])("%s against %s is %s", (glob, value, expected) => {
    expect(globMatch(glob, value)).toBe(expected);
  });

  it("ignores case only when asked", () => {
    expect(compileGlob("V1.*").test("v1.2")).toBe(false);
    expect(compileGlob("V1.*", { ignoreCase: true }).test("v1.2")).toBe(true);
  });

  it.each([
    ["tag-{1,2", "no closing }"],
    ["tag-}", "no opening {"],
    ["rc[0-9", "no closing ]"],
    ["rc[9-0]", "runs backwards"],
    ["x\\", "end with \\"],
    ["{{{{{a}}}}}", "nest"],
    [`{${Array.from({ length: GLOB_MAX_ALTERNATIVES + 1 }, (_, i) => i).join(",")}}`, "alternatives"],
    ["*".repeat(600), "at most"],
  ])("refuses %s saying %s", (glob, message) => {
    expect(globProblem(glob)).toContain(message);
    expect(globMatch(glob, "anything")).toBe(false);
  });
});

describe("glob time", () => {
  // A backtracking `^.*-.*-.*-rc$` took 0.8 s on this input; RE2 is linear in the input.
  it("matches pathological globs against long names in linear time", () => {
    const tag = "a-".repeat(800) + "x";
    const globs = ["*-*-*-rc", "*-*-*-*-*-*-*-*-rc", "*a*a*a*a*a*a*a*a*b", "{*-,*-*-}{*-,*-*-}{*-,*-*-}rc"];
    for (const g of globs) compileGlob(g).test("warm-up");
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      for (const g of globs) expect(globMatch(g, tag)).toBe(false);
    }
    const perMatch = (performance.now() - started) / (10 * globs.length);
    // a busy 2-core machine: generous, still far below the 800 ms of one backtracking match
    expect(perMatch).toBeLessThan(60);
  });
});
