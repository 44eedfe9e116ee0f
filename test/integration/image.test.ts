// The release path: `npm run image:push` pushes an image from an OCI layout with Regatta's own
// registry engine (checked with skopeo). And, opt-in (REGATTA_IMAGE_TEST=1; several minutes on two
// busy cores), the Dockerfile itself: built with buildah (vfs, chroot) on a base assembled from this
// machine's Node, run with `buildah run`, pointed at PostgreSQL and a registry:2, and used: it
// serves, signs in, browses and promotes, runs as a non-root user and never builds at start.
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIndex, freePort, makeTempDir, pushImage, skopeoInspect, startRegistry, type RunningRegistry } from "../harness";
import { testDatabaseUrl } from "../support/workers";

const run = promisify(execFile);
let reg: RunningRegistry;
let dir: string;

beforeAll(async () => {
  dir = makeTempDir("image");
  reg = await startRegistry({ mode: "htpasswd", name: "image-push" });
});
afterAll(async () => {
  await reg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function pushCli(from: string, to: string) {
  return run(process.execPath, ["--import", "tsx", "scripts/push-image.ts", from, to, "--insecure"], {
    env: { ...process.env, REGISTRY_USERNAME: reg.username!, REGISTRY_PASSWORD: reg.password! }, encoding: "utf8",
  });
}

describe("npm run image:push", () => {
  it("pushes an OCI layout (an index over two platforms) with the registry engine; skopeo sees the same digest; a second push uploads nothing", async () => {
    const img = await buildIndex(["linux/amd64", "linux/arm64"], { layers: [{ files: { "app.txt": "regatta image\n" } }] }, "0.1.0");
    const index = JSON.parse(fs.readFileSync(path.join(img.layout, "index.json"), "utf8")).manifests.find((d: { annotations?: Record<string, string> }) => d.annotations?.["org.opencontainers.image.ref.name"] === "0.1.0");
    const host = new URL(reg.url).host;
    const first = await pushCli(`${img.layout}:0.1.0`, `${host}/platform/regatta:0.1.0`);
    expect(first.stdout).toMatch(/pushed .*platform\/regatta:0\.1\.0 \(sha256:[0-9a-f]{64}\): [1-9]\d* blobs uploaded/);
    const seen = await skopeoInspect(reg, "platform/regatta:0.1.0", { raw: true });
    expect(seen.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(seen.manifests).toHaveLength(2);
    const raw = await run("skopeo", ["inspect", "--tls-verify=false", "--creds", `${reg.username}:${reg.password}`, "--raw", `docker://${host}/platform/regatta:0.1.0`], { encoding: "utf8", maxBuffer: 1 << 20 });
    const { createHash } = await import("node:crypto");
    expect(`sha256:${createHash("sha256").update(raw.stdout).digest("hex")}`).toBe(index.digest);
    const again = await pushCli(`${img.layout}:0.1.0`, `${host}/platform/regatta:0.1.0`);
    expect(again.stdout).toMatch(/ 0 blobs uploaded \(0\.0 MiB\), [1-9]\d* already there/);
    expect(first.stdout + first.stderr).not.toContain(reg.password!);
  });

  it("refuses a wrong reference without touching the registry", async () => {
    const r = await pushCli(dir, "no-tag-here").catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(2);
    expect((r as { stderr: string }).stderr).toContain("expected <registry host[:port]>/<repository>:<tag>");
  });
});

const imageTest = process.env.REGATTA_IMAGE_TEST === "1";

describe.runIf(imageTest)("the Dockerfile, built and run with buildah", () => {
  // kept between runs (layers cached: an unchanged package-lock.json skips `npm ci`); never the system's own storage
  const root = () => path.resolve(".test-data/buildah/storage");
  const runroot = () => path.resolve(".test-data/buildah/run");
  const buildah = (args: string[], opts: { timeout?: number } = {}) =>
    run("buildah", ["--root", root(), "--runroot", runroot(), "--storage-driver", "vfs", ...args], { encoding: "utf8", maxBuffer: 64 << 20, timeout: opts.timeout ?? 1_800_000 });
  let app: ChildProcess | undefined;
  const figures: Record<string, number> = {};

  afterAll(async () => {
    app?.kill("SIGTERM");
    console.log(`image test: ${JSON.stringify(figures)}`);
  });

  it("builds, starts without building, serves, signs in, browses and promotes as a non-root user", async () => {
    // a base image from this machine's own Node: its binary, its shared libraries, npm, a shell, CA certificates
    const t0 = performance.now();
    const baseExists = await buildah(["inspect", "--type", "image", "localhost/regatta-test-base:2"]).then(() => true, () => false);
    if (!baseExists) await assembleBase();
    figures.baseSeconds = Math.round((performance.now() - t0) / 1000);
    await buildTheImage();
  }, 3_600_000);

  async function assembleBase() {
    const rootfs = path.join(dir, "rootfs");
    const copy = (from: string) => {
      const to = path.join(rootfs, from);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.cpSync(from, to, { recursive: true, dereference: true });
    };
    // /usr/bin/ldd is only read (npm tells glibc from musl by it, for optional native packages)
    // and every library the native packages in node_modules load (lightningcss, swc, …: libresolv, librt, …)
    const natives = spawnSync("find", ["node_modules", "-name", "*.node", "-path", "*linux-x64*"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
    const nativeLibs = natives.flatMap(ldd).filter((l) => !l.includes("node_modules"));
    for (const f of new Set([...nativeLibs, "/usr/bin/node", "/bin/sh", "/usr/bin/env", "/usr/bin/ldd", "/etc/ssl/certs/ca-certificates.crt", "/usr/lib/node_modules/npm", ...ldd("/usr/bin/node"), ...ldd("/bin/sh"), ...ldd("/usr/bin/env")])) copy(f);
    fs.mkdirSync(path.join(rootfs, "tmp"), { recursive: true, mode: 0o1777 });
    fs.chmodSync(path.join(rootfs, "tmp"), 0o1777);
    fs.symlinkSync("../lib/node_modules/npm/bin/npm-cli.js", path.join(rootfs, "usr/bin/npm"));
    fs.symlinkSync("../lib/node_modules/npm/bin/npx-cli.js", path.join(rootfs, "usr/bin/npx"));
    fs.mkdirSync(path.join(rootfs, "etc"), { recursive: true });
    fs.writeFileSync(path.join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    const ctr = (await buildah(["from", "scratch"])).stdout.trim();
    await buildah(["copy", ctr, `${rootfs}/`, "/"]);
    // this machine's extra certificate authorities (a TLS-inspecting proxy before the npm registry)
    const extraCa = process.env.NODE_EXTRA_CA_CERTS;
    if (extraCa && fs.existsSync(extraCa)) {
      await buildah(["copy", ctr, extraCa, "/etc/ssl/certs/extra-ca.pem"]);
      await buildah(["config", "--env", "NODE_EXTRA_CA_CERTS=/etc/ssl/certs/extra-ca.pem", "--env", "npm_config_cafile=/etc/ssl/certs/extra-ca.pem", ctr]);
    }
    await buildah(["config", "--env", "PATH=/usr/local/bin:/usr/bin:/bin", ctr]);
    await buildah(["commit", ctr, "localhost/regatta-test-base:2"]);
  }

  async function buildTheImage() {
    const t0 = performance.now();
    const t1 = performance.now();
    // each Dockerfile step's seconds (where the build's time goes), from buildah's own STEP lines
    await new Promise<void>((resolve, reject) => {
      const bud = spawn("buildah", ["--root", root(), "--runroot", runroot(), "--storage-driver", "vfs", "bud", "--layers", "--isolation", "chroot", "--build-arg", "BASE_IMAGE=localhost/regatta-test-base:2", "-t", "localhost/regatta:test", "."], { stdio: ["ignore", "pipe", "pipe"] });
      let step = "start";
      let since = performance.now();
      let out = "";
      const mark = (next: string) => {
        const key = step.slice(0, 60);
        figures[key] = (figures[key] ?? 0) + Math.round((performance.now() - since) / 100) / 10;
        step = next;
        since = performance.now();
      };
      const onData = (c: Buffer) => {
        out = (out + c.toString()).slice(-20_000);
        for (const line of c.toString().split("\n")) {
          const m = /^(?:\[\d+\/\d+\] )?STEP \d+\/\d+: (.*)$/.exec(line.trim());
          if (m) mark(m[1]!);
          else if (/^(COMMIT|--> Using cache)/.test(line.trim())) mark(`${line.trim().split(" ")[0]} after ${step}`);
        }
      };
      bud.stdout!.on("data", onData);
      bud.stderr!.on("data", onData);
      bud.on("error", reject);
      bud.on("exit", (code) => {
        mark("end");
        if (code === 0) resolve();
        else reject(new Error(`buildah bud failed (${code}):\n${out}`));
      });
    });
    figures.buildSeconds = Math.round((performance.now() - t1) / 1000);
    const info = JSON.parse((await buildah(["inspect", "--type", "image", "localhost/regatta:test"])).stdout);
    expect(info.OCIv1.config.User).toBe("10001:10001");

    // PostgreSQL: a database on the suite's server; the image's container on the host's loopback
    const u = new URL(testDatabaseUrl());
    u.pathname = "/postgres";
    const admin = new pg.Client({ connectionString: u.toString() });
    await admin.connect();
    await admin.query("DROP DATABASE IF EXISTS regatta_image WITH (FORCE)");
    await admin.query("CREATE DATABASE regatta_image");
    await admin.end();
    u.pathname = "/regatta_image";
    const port = await freePort();
    const runCtr = (await buildah(["from", "localhost/regatta:test"])).stdout.trim();
    const t2 = performance.now();
    app = spawn("buildah", ["--root", root(), "--runroot", runroot(), "--storage-driver", "vfs", "run", "--isolation", "chroot", "--user", "10001:10001",
      "--env", `DATABASE_URL=${u}`, "--env", `PORT=${port}`, "--env", "HOST=127.0.0.1", "--env", "AUTH_SECRET=image-test-auth-secret-0123456789",
      "--env", `REGATTA_MASTER_KEY=${Buffer.alloc(32, 5).toString("base64")}`, "--env", "REGATTA_ADMIN_EMAIL=admin@image.test", "--env", "REGATTA_ADMIN_PASSWORD=image-test-pw",
      runCtr, "--", "node", "--import", "tsx", "--conditions=react-server", "scripts/start.ts"], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    app.stdout!.on("data", (c) => (log += c));
    app.stderr!.on("data", (c) => (log += c));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 600; i++) {
      try {
        if ((await fetch(`${base}/api/ready`)).ok) break;
      } catch {
        // starting
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    figures.startSeconds = Math.round((performance.now() - t2) / 1000);
    expect((await fetch(`${base}/api/ready`)).status).toBe(200);
    expect(log).not.toMatch(/building/);
    expect(log.split("\n").filter((l) => l.startsWith("{")).length).toBeGreaterThan(3);

    // sign in, add the registry, browse, promote: as a person would, through the API
    const csrf = await fetch(`${base}/api/auth/csrf`);
    const { csrfToken } = await csrf.json();
    const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const signIn = await fetch(`${base}/api/auth/callback/credentials`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar }, body: new URLSearchParams({ email: "admin@image.test", password: "image-test-pw", csrfToken }) });
    const session = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => /session-token=/.test(c!))!;
    expect(session).toBeTruthy();
    const h = { cookie: session, "content-type": "application/json", origin: base };
    await pushImage(reg, "demo/app:1.0", { layers: [{ files: { "x.txt": "in the image test\n" } }] });
    const created = await fetch(`${base}/api/v1/registries`, { method: "POST", headers: h, body: JSON.stringify({ name: "image-reg", kind: "GENERIC", endpoint: reg.url, credentials: { username: reg.username, password: reg.password } }) });
    expect(created.status).toBe(201);
    const id = (await created.json()).id;
    const tags = await (await fetch(`${base}/api/v1/registries/${id}/tags?repository=demo/app`, { headers: h })).json();
    expect(tags.tags.map((t: { name: string }) => t.name)).toContain("1.0");
    const promo = await fetch(`${base}/api/v1/promotions`, { method: "POST", headers: h, body: JSON.stringify({ source: { registryId: id, repository: "demo/app", reference: "1.0" }, target: { registryId: id, repository: "prod/app", tag: "1.0" } }) });
    expect([200, 202]).toContain(promo.status);
    const pid = (await promo.json()).id;
    let state = "";
    for (let i = 0; i < 300 && state !== "succeeded" && state !== "failed"; i++) {
      state = (await (await fetch(`${base}/api/v1/promotions/${pid}`, { headers: h })).json()).state;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(state).toBe("succeeded");
    expect((await skopeoInspect(reg, "prod/app:1.0")).Digest).toBe((await skopeoInspect(reg, "demo/app:1.0")).Digest);
    figures.totalSeconds = Math.round((performance.now() - t0) / 1000);
  }
});

/** The shared libraries a binary loads, from ldd. */
function ldd(bin: string): string[] {
  return spawnSync("ldd", [bin], { encoding: "utf8" }).stdout.split("\n").map((l) => l.match(/(\/\S+) \(0x/)?.[1]).filter((x): x is string => !!x);
}
