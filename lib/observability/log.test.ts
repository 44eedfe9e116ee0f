import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("log", () => {
  it("writes one JSON line per event with level, time and the event's fields, and never a secret", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "-e", `
      const { log } = await import("./lib/observability/log.ts");
      log.info({ requestId: "r-1", route: "/api/v1/tokens", status: 201, ms: 3.2, actorId: "u-1", password: "hunter2hunter2", headers: { authorization: "Bearer rgt_abc", cookie: "authjs.session-token=xyz" }, credentials: { token: "ghp_x" } }, "request");
    `], { env: { ...process.env, NODE_ENV: "production", REGATTA_LOG_LEVEL: "info" }, encoding: "utf8" });
    const lines = out.trim().split("\n");
    expect(lines).toHaveLength(1);
    const e = JSON.parse(lines[0]!);
    expect(e).toMatchObject({ level: "info", msg: "request", requestId: "r-1", route: "/api/v1/tokens", status: 201, ms: 3.2, actorId: "u-1" });
    expect(new Date(e.time).getTime()).toBeGreaterThan(0);
    expect(out).not.toMatch(/hunter2|rgt_abc|xyz|ghp_x/);
  });
});
