import { describe, expect, it } from "vitest";
import { BodyTooLarge, readBodyBounded, readBounded } from "./bounded-read";

/** An endless stream of 64 KiB chunks; pulled() says how many bytes were taken. */
function endless() {
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled += 65536;
      c.enqueue(new Uint8Array(65536));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

describe("bounded read", () => {
  it("stops an endless body just past the cap and cancels it", async () => {
    const s = endless();
    await expect(readBounded(s.stream, 1024 * 1024)).rejects.toBeInstanceOf(BodyTooLarge);
    expect(s.pulled()).toBeLessThan(2 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 0));
    expect(s.cancelled()).toBe(true);
  });

  it("refuses a declared Content-Length over the cap without reading", async () => {
    const s = endless();
    const res = new Response(s.stream, { headers: { "content-length": String(10 * 1024 * 1024) } });
    await expect(readBodyBounded(res, 1024)).rejects.toThrow(/declares 10485760 bytes/);
    expect(s.pulled()).toBeLessThanOrEqual(65536 * 2);
  });

  it("reads a body within the cap whole, and truncates on request", async () => {
    expect(new TextDecoder().decode(await readBodyBounded(new Response("hello"), 5))).toBe("hello");
    expect(new TextDecoder().decode(await readBounded(new Response("hello world").body, 5, { truncate: true }))).toBe("hello");
  });
});
