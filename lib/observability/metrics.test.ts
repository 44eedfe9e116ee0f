import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { metrics } from "./metrics";

describe("deploy/grafana/regatta-dashboard.json", () => {
  it("is built only on metrics Regatta exports", async () => {
    const dashboard = JSON.parse(fs.readFileSync("deploy/grafana/regatta-dashboard.json", "utf8"));
    const known = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    for (const e of exprs) {
      for (const name of e.match(/regatta_[a-z_]+/g) ?? []) {
        expect(known.has(name.replace(/_(bucket|count|sum)$/, "")), `${name} in ${e}`).toBe(true);
      }
    }
  });
});
