import { describe, expect, it } from "vitest";
import { allPages, pages } from "./pages";
import { RegistryError } from "./errors";

const endless = (n: number) => ({ items: [n], next: n + 1, bytes: 1000 });

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(RegistryError);
  return e as RegistryError;
}

describe("pages: one budget per listing", () => {
  it("stops endless pagination at the page budget", async () => {
    let calls = 0;
    const e = await failure(allPages({ what: "listing", first: 0, budget: { pages: 50 }, fetch: async (n: number) => (calls++, endless(n)) }));
    expect(e.message).toMatch(/more than 50 pages/);
    expect(calls).toBe(50);
  });

  it("stops at the item, byte and time budgets", async () => {
    expect((await failure(allPages({ what: "l", first: 0, budget: { items: 10 }, fetch: async (n: number) => ({ items: [1, 2, 3], next: n + 1 }) }))).message).toMatch(/more than 10 items/);
    expect((await failure(allPages({ what: "l", first: 0, budget: { bytes: 5_000 }, fetch: async (n: number) => endless(n) }))).message).toMatch(/larger than 5000 bytes/);
    let clock = 0;
    const e = await failure(allPages({ what: "l", first: 0, budget: { ms: 1_000 }, now: () => clock, fetch: async (n: number) => ((clock += 300), endless(n)) }));
    expect(e.codes).toContain("TIMEOUT");
  });

  it("ends quietly on a cursor seen before (a loop)", async () => {
    expect(await allPages({ what: "l", first: "a", fetch: async (c: string) => ({ items: [c], next: c === "a" ? "b" : "a" }) })).toEqual(["a", "b"]);
  });

  it("refuses a next URL on another origin before fetching it", async () => {
    const asked: string[] = [];
    const fetch = async (u: URL) => (asked.push(u.href), { items: [1], next: new URL("http://127.0.0.1:9/steal?page=2") });
    const e = await failure(allPages({ what: "l", first: new URL("https://api.example.com/x"), fetch }));
    expect(e.codes).toContain("DENIED");
    expect(asked).toEqual(["https://api.example.com/x"]);
  });

  it("treats a next URL string (Docker Hub's `next`) the same way", async () => {
    const fetch = async (u: string) => ({ items: [u], next: "https://evil.example/page2" });
    await expect(allPages({ what: "l", first: "https://hub.docker.com/v2/x", origin: "https://hub.docker.com", fetch })).rejects.toThrow(/another host \(evil\.example\)/);
  });

  it("lets a caller stop early", async () => {
    let calls = 0;
    for await (const items of pages({ what: "l", first: 0, fetch: async (n: number) => (calls++, endless(n)) })) if (items[0] === 2) break;
    expect(calls).toBe(3);
  });
});
