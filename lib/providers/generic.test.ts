// The per-host bound every provider's /v2 client runs with: a registry's own setting, else
// REGATTA_REGISTRY_CONCURRENCY.
import { afterEach, describe, expect, it, vi } from "vitest";
import { startInFlightCounter, type LoopbackServer } from "@/lib/registry/testing/loopback";
import { clientFor, registryConcurrency } from "./generic";

let server: (LoopbackServer & { peak(): number }) | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

/** The most requests a registry saw at once while a client asked for 40 tag lists. */
async function peakInFlight(concurrency?: number | null): Promise<number> {
  await server?.close();
  server = await startInFlightCounter();
  const client = clientFor({ endpoint: server.url, insecure: true, credentials: null, concurrency });
  await Promise.all(Array.from({ length: 40 }, () => client.listTags("a")));
  return server.peak();
}

describe("requests in flight per registry host", () => {
  it("8 by default", async () => {
    expect(await peakInFlight()).toBe(8);
  });

  it("REGATTA_REGISTRY_CONCURRENCY raises it for a registry far away (or lowers it for a fragile one)", async () => {
    vi.stubEnv("REGATTA_REGISTRY_CONCURRENCY", "16");
    expect(await peakInFlight()).toBe(16);
  });

  it("a registry's own setting wins over the server's, both ways; null is the server's", async () => {
    vi.stubEnv("REGATTA_REGISTRY_CONCURRENCY", "16");
    expect(await peakInFlight(3)).toBe(3);
    expect(await peakInFlight(24)).toBe(24);
    expect(await peakInFlight(null)).toBe(16);
  });

  it("a value outside 1–64 or not a whole number is the default", () => {
    for (const v of ["0", "65", "2.5", "many", "-3"]) {
      vi.stubEnv("REGATTA_REGISTRY_CONCURRENCY", v);
      expect(registryConcurrency(), v).toBe(8);
    }
    vi.stubEnv("REGATTA_REGISTRY_CONCURRENCY", "1");
    expect(registryConcurrency()).toBe(1);
  });
});
