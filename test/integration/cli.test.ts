// The CI client (bin/regatta.mjs) as CI runs it: plain `node`, against a running Regatta
// (scripts/lib/app-server.ts) and real registry:2 processes, checked with skopeo.
import { execFile } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiToken, startApp, type AppServer } from "@/scripts/lib/app-server";
import { freePort, pushImage, skopeoInspect, skopeoListTags, startRegistry, type RunningRegistry } from "../harness";
import { sendJson, startServer } from "@/lib/registry/testing/loopback";

let app: AppServer;
let staging: RunningRegistry;
let prod: RunningRegistry;
let operator: string;
let viewer: string;
let sourceDigest: string;

interface Run { code: number; stdout: string; stderr: string }

function regatta(args: string[], token = operator, extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.resolve("bin/regatta.mjs"), ...args], {
      env: { PATH: process.env.PATH, REGATTA_URL: app.url, REGATTA_TOKEN: token, ...extraEnv } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 120_000,
    }, (err: (Error & { code?: unknown }) | null, stdout: string, stderr: string) => resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  [staging, prod] = await Promise.all([startRegistry({ mode: "open", name: "cli-staging" }), startRegistry({ mode: "htpasswd", name: "cli-prod" })]);
  await pushImage(staging, "acme/api:1.4.1", { env: ["MODE=staging"], layers: [{ files: { app: "one\n" } }] });
  sourceDigest = await pushImage(staging, "acme/api:1.4.2", { env: ["MODE=prod"], layers: [{ files: { app: "two\n" } }] });
  app = await startApp({ dir: path.resolve(".test-data/cli-app"), port: await freePort(), admin: { email: "admin@cli.test", password: "cli-admin-password-1" } });
  const admin = await apiToken(app.databaseUrl, "ADMIN");
  operator = await apiToken(app.databaseUrl, "OPERATOR");
  viewer = await apiToken(app.databaseUrl, "VIEWER");
  for (const [name, reg] of [["staging", staging], ["prod", prod]] as const) {
    const res = await fetch(`${app.url}/api/v1/registries`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ name, kind: "GENERIC", endpoint: reg.url, credentials: reg.username ? { username: reg.username, password: reg.password } : undefined }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }
}, 600_000);

afterAll(async () => {
  await Promise.all([app?.stop(), staging?.stop(), prod?.stop()]);
});

describe("regatta CLI", () => {
  it("promote --wait across registries by name ends 0 and skopeo sees the tag at the same digest", async () => {
    const r = await regatta(["promote", "staging/acme/api:1.4.2", "prod/acme/api:1.4.2", "--wait"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`promoted staging/acme/api:1.4.2 → prod/acme/api:1.4.2 ${sourceDigest}`);
    // not a terminal: plain lines, never a carriage return
    expect(r.stderr).not.toContain("\r");
    expect((await skopeoInspect(prod, "acme/api:1.4.2")).Digest).toBe(sourceDigest);
    expect(await skopeoListTags(prod, "acme/api")).toEqual(["1.4.2"]);
  });

  it("on a terminal, progress is one line updated in place", async () => {
    const cli = await import(/* @vite-ignore */ path.resolve("bin/regatta.mjs"));
    const written: string[] = [];
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), errLine: (l: string) => written.push(`${l}\n`), err: { isTTY: true, write: (s: string) => written.push(s) } };
    const code = await cli.main(["promote", "staging/acme/api:1.4.1", "prod/acme/api:1.4.1", "--wait"], { REGATTA_URL: app.url, REGATTA_TOKEN: operator }, io);
    expect(code, written.join("")).toBe(0);
    const err = written.join("");
    expect(err).toMatch(/^\r\x1b\[K(queued|running) staging\/acme\/api:1\.4\.1 → prod\/acme\/api:1\.4\.1/);
    expect(err.endsWith("\n")).toBe(true);
    expect(err.split("\n")).toHaveLength(2); // one line, rewritten, then ended once
    expect(out.join("\n")).toContain("promoted staging/acme/api:1.4.1 → prod/acme/api:1.4.1");
    expect((await skopeoListTags(prod, "acme/api")).sort()).toEqual(["1.4.1", "1.4.2"]);
  });

  it("--wait sees the end as the server does: each GET waits on the server (?wait=), no second of sleep between asks", async () => {
    // a Regatta that finishes the promotion 300 ms after it is asked about it
    const asked: string[] = [];
    const fake = await startServer(async (req, res) => {
      asked.push(`${req.method} ${req.url}`);
      if (req.url === "/api/v1/registries") return sendJson(res, 200, { registries: [{ name: "staging", id: "s" }, { name: "prod", id: "p" }] });
      if (req.method === "POST") return sendJson(res, 202, { id: "p1", state: "running", bytesDone: 0, bytesTotal: 0 });
      const wait = Number(new URL(req.url!, "http://x").searchParams.get("wait") ?? 0);
      await new Promise((r) => setTimeout(r, Math.min(300, wait * 1000)));
      sendJson(res, 200, { id: "p1", state: "succeeded", digest: sourceDigest });
    });
    try {
      const cli = await import(/* @vite-ignore */ path.resolve("bin/regatta.mjs"));
      const out: string[] = [];
      const io = { out: (l: string) => out.push(l), errLine: () => {}, err: { isTTY: false, write: () => {} } };
      const t0 = performance.now();
      const code = await cli.main(["promote", "staging/acme/api:1", "prod/acme/api:1", "--wait"], { REGATTA_URL: fake.url, REGATTA_TOKEN: operator }, io);
      const ms = performance.now() - t0;
      expect(code).toBe(0);
      expect(out.join("\n")).toContain("promoted staging/acme/api:1 → prod/acme/api:1");
      expect(asked.filter((a) => a.startsWith("GET /api/v1/promotions/"))).toEqual(["GET /api/v1/promotions/p1?wait=1"]);
      // it used to sleep 1 s before each GET: at least 1,000 ms for a promotion done in 300
      expect(ms).toBeLessThan(900);
    } finally {
      await fake.close();
    }
  });

  it("a refused promotion exits non-zero with the server's message and changes nothing", async () => {
    // a viewer may not promote
    const denied = await regatta(["promote", "staging/acme/api:1.4.1", "prod/acme/api:1.4.1", "--wait"], viewer);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/regatta: .*operator.*\(403/i);
    // the tag exists on another digest: 409, with how to go on
    const conflict = await regatta(["promote", "staging/acme/api:1.4.1", "prod/acme/api:1.4.2", "--wait"]);
    expect(conflict.code).toBe(3);
    expect(conflict.stderr).toContain("(409");
    expect(conflict.stderr).toContain("--overwrite");
    expect((await skopeoInspect(prod, "acme/api:1.4.2")).Digest).toBe(sourceDigest);
    expect((await skopeoListTags(prod, "acme/api")).sort()).toEqual(["1.4.1", "1.4.2"]);
    // neither the token nor anything like it is printed
    expect(denied.stderr + denied.stdout + conflict.stderr + conflict.stdout).not.toContain("rgt_");
  });

  it("tags, diff and who-pushed read by registry name", async () => {
    const tags = await regatta(["tags", "staging/acme/api"]);
    expect(tags.code, tags.stderr).toBe(0);
    expect(tags.stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0]).sort()).toEqual(["1.4.1", "1.4.2"]);

    const diff = await regatta(["diff", "staging/acme/api:1.4.1", "prod/acme/api:1.4.2"]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain("~ env.MODE: staging → prod");
    expect(diff.stdout).toMatch(/\+ layer sha256:/);

    const who = await regatta(["who-pushed", "prod/acme/api:1.4.2"]);
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toContain(sourceDigest);
    expect(who.stdout).toContain("regatta");
  });

  it("says what is wrong with exit codes CI understands", async () => {
    const unknown = await regatta(["tags", "nowhere/acme/api"]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no registry named "nowhere"');
    const missingTag = await regatta(["tags", "staging/acme/none"]);
    expect(missingTag.code).toBe(3);
    const usage = await regatta(["promote", "staging/acme/api:1.4.2"]);
    expect(usage.code).toBe(2);
    const noEnv = await regatta(["tags", "staging/acme/api"], "");
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toContain("REGATTA_TOKEN is not set");
    const badToken = await regatta(["tags", "staging/acme/api"], "rgt_not-a-token");
    expect(badToken.code).toBe(3);
    expect(badToken.stderr).toContain("(401");
  });
});
