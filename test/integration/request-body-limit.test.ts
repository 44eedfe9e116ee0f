// Request bodies are capped at 1 MiB before anything parses them (issue 12, items 3 and 13): a
// 50 MB JSON body gets 413 and is read no further than the cap, on the API and on Auth.js's POST.
import { beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import * as tokens from "@/app/api/v1/tokens/route";
import * as authRoute from "@/app/api/auth/[...nextauth]/route";
import { userWithToken } from "../support/api";

const MiB = 1024 * 1024;

/** A JSON body of `total` bytes made on demand; `pulled()` says how much of it was read. */
function hugeJson(total: number) {
  let sent = 0;
  const chunk = new TextEncoder().encode("a".repeat(64 * 1024));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) {
        controller.enqueue(new TextEncoder().encode('{"name":"'));
        sent += 9;
      } else if (sent >= total) {
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      } else {
        controller.enqueue(chunk);
        sent += chunk.byteLength;
      }
    },
  });
  return { stream, pulled: () => sent };
}

let admin: string;
beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
});

describe("request body limit", () => {
  it("answers 413 to a 50 MB JSON body without reading or parsing it", async () => {
    const body = hugeJson(50 * MiB);
    const req = new Request("http://127.0.0.1:3000/api/v1/tokens", {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    const res = await tokens.POST(req, { params: Promise.resolve({}) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
    // read stops at the cap (plus the stream's look-ahead), far from 50 MB
    expect(body.pulled()).toBeLessThan(2 * MiB);
  });

  it("answers 413 at once to a declared Content-Length over the cap", async () => {
    const body = hugeJson(50 * MiB);
    const headers = new Headers({ authorization: `Bearer ${admin}`, "content-type": "application/json", "content-length": String(50 * MiB) });
    const req = new Request("http://127.0.0.1:3000/api/v1/tokens", { method: "POST", headers, body: body.stream, duplex: "half" } as RequestInit);
    const res = await tokens.POST(req, { params: Promise.resolve({}) });
    expect(res.status).toBe(413);
    expect(body.pulled()).toBeLessThan(256 * 1024);
  });

  it("still takes a normal body", async () => {
    const req = new Request("http://127.0.0.1:3000/api/v1/tokens", {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "ci" }),
    });
    const res = await tokens.POST(req, { params: Promise.resolve({}) });
    expect(res.status).toBeLessThan(300);
  });

  it("caps the sign-in form the same way before Auth.js parses it", async () => {
    const body = hugeJson(50 * MiB);
    const req = new NextRequest("http://127.0.0.1:3000/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: body.stream,
      duplex: "half",
    } as ConstructorParameters<typeof NextRequest>[1]);
    const res = await authRoute.POST(req);
    expect(res.status).toBe(413);
    expect(body.pulled()).toBeLessThan(2 * MiB);
  });
});
