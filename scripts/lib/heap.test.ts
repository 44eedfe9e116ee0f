import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthPercent } from "./heap";

describe("REGATTA_HEAP_GROWTH_PERCENT", () => {
  it("is 20 unless set; a whole number from 0 to 400; anything else stops the start naming the variable", () => {
    expect(heapGrowthPercent({})).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(DEFAULT_HEAP_GROWTH_PERCENT).toBe(20);
    expect(heapGrowthPercent({ REGATTA_HEAP_GROWTH_PERCENT: "" })).toBe(20);
    expect(heapGrowthPercent({ REGATTA_HEAP_GROWTH_PERCENT: "0" })).toBe(0);
    expect(heapGrowthPercent({ REGATTA_HEAP_GROWTH_PERCENT: " 35 " })).toBe(35);
    for (const bad of ["-1", "401", "1.5", "lots", "0x10"]) {
      expect(() => heapGrowthPercent({ REGATTA_HEAP_GROWTH_PERCENT: bad })).toThrow(/REGATTA_HEAP_GROWTH_PERCENT must be a whole number from 0 to 400/);
    }
  });

  // A process with ~85 MiB that stays and a stream of objects that live long enough to leave the
  // young generation, then die (as registry requests waiting their turn do): how far the old
  // generation grows, with V8's own factor and with the default 20 %.
  it("keeps a busy process's old generation within ~20 % of what stays, where V8's own factor lets it double", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "regatta-heap-"));
    const child = path.join(dir, "child.ts");
    fs.writeFileSync(child, `
      import v8 from "node:v8";
      import { applyHeapGrowth, heapGrowthPercent } from ${JSON.stringify(path.resolve("scripts/lib/heap.ts"))};
      applyHeapGrowth(heapGrowthPercent());
      const old = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "old_space")!.space_size;
      const stays = Array.from({ length: 300_000 }, (_, i) => ({ i, s: "stays-" + i + "-" + "y".repeat(40) }));
      (globalThis as { gc?: () => void }).gc!();
      const base = old();
      let peak = base;
      const ring: unknown[] = new Array(30_000);
      for (let i = 0; i < 300_000; i++) {
        ring[i % ring.length] = { n: i, a: [i, i + 1, i + 2, i + 3], s: "item-" + i + "-" + "x".repeat(24) };
        if (i % 2_000 === 0) peak = Math.max(peak, old());
      }
      console.log(JSON.stringify({ stays: stays.length, baseMiB: base / 2 ** 20, growthMiB: (peak - base) / 2 ** 20 }));
    `);
    try {
      const run = async (percent: string) => {
        const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--max-semi-space-size=1", "--import", "tsx", child], {
          env: { ...process.env, REGATTA_HEAP_GROWTH_PERCENT: percent },
        });
        return JSON.parse(stdout) as { baseMiB: number; growthMiB: number };
      };
      const v8Own = await run("0");
      const ours = await run("");
      expect(ours.baseMiB).toBeGreaterThan(60);
      expect(v8Own.growthMiB).toBeGreaterThan(ours.baseMiB * 0.6);
      expect(ours.growthMiB).toBeLessThan(ours.baseMiB * 0.45);
      expect(ours.growthMiB).toBeLessThan(v8Own.growthMiB / 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
