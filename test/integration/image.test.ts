// The release path: `npm run image:push` pushes an image from an OCI layout with Regatta's own
// registry engine (checked with skopeo). And the Dockerfile itself (below: by default its runtime
// stage on this checkout's build, ~1.5–3 min; REGATTA_IMAGE_TEST=full from source): built with
// buildah on a base assembled from this machine's Node, run with `buildah run`, pointed at
// PostgreSQL and a registry:2, and used: it serves, signs in, browses and promotes, runs as a
// non-root user, never builds at start and stops on SIGTERM.
import { createHash } from "node:crypto";
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

// The Dockerfile, built with buildah (vfs, chroot isolation; no Docker engine here) and run with
// `buildah run`. Two ways, by REGATTA_IMAGE_TEST:
// - by default (every `npm test`): the Dockerfile's runtime stage as written (its COPY lines, USER,
//   env, CMD, HEALTHCHECK) with `--build-arg BUILD_FROM=` an image of what `npm test` has already
//   built on this machine (.next from its `next build`, node_modules pruned with the build stage's
//   own `npm prune --omit=dev`, the sources): buildah then skips the deps and build stages. This
//   proves the runtime stage and the image, not `npm ci` + `next build` inside the image.
// - REGATTA_IMAGE_TEST=full: the whole Dockerfile from source (`npm ci` from the npm registry,
//   `next build` inside the build): 10–40 minutes on two busy cores; layers kept with --layers.
const fullBuild = process.env.REGATTA_IMAGE_TEST === "full";

describe("the Dockerfile, built and run with buildah", () => {
  // The storage is kept between runs (the base image, the production node_modules, the full build's
  // layer cache), never the system's own. overlay where this machine lets buildah mount it (as root on
  // a non-overlay file system: a layer is not a full copy of its parent, a container not a copy of
  // its image), else vfs (works everywhere, several times slower); the figures say which.
  fs.mkdirSync(".test-data", { recursive: true });
  const overlayWorks = spawnSync("sh", ["-c", 'set -e; r=$(mktemp -d "$1/overlay-probe-XXXXXX"); trap \'rm -rf "$r"\' EXIT; c=$(buildah --root "$r/s" --runroot "$r/r" --storage-driver overlay from scratch); buildah --root "$r/s" --runroot "$r/r" --storage-driver overlay mount "$c"; buildah --root "$r/s" --runroot "$r/r" --storage-driver overlay rm "$c"', "sh", path.resolve(".test-data")], { stdio: "ignore" }).status === 0;
  const driver = overlayWorks ? "overlay" : "vfs";
  const root = path.resolve(`.test-data/buildah/${driver}`);
  const storage = ["--root", path.join(root, "storage"), "--runroot", path.join(root, "run"), "--storage-driver", driver];
  const buildah = (args: string[], opts: { timeout?: number } = {}) =>
    run("buildah", [...storage, ...args], { encoding: "utf8", maxBuffer: 64 << 20, timeout: opts.timeout ?? 1_800_000 });
  // everything this run makes is named after its process: a run beside it (or after a crash) is left alone
  const me = `p${process.pid}`;
  const images = { prebuilt: `localhost/regatta-image-test:${me}-prebuilt`, runtime: `localhost/regatta-image-test:${me}-runtime` };
  const containers = { prebuilt: `regatta-image-test-${me}-prebuilt`, run: `regatta-image-test-${me}-run` };
  const nodeVersion = spawnSync("/usr/bin/node", ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim();
  const baseImage = `localhost/regatta-test-base:3-node${nodeVersion}`;
  let app: ChildProcess | undefined;
  let appExit: Promise<number | null> | undefined;
  const figures: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      figures[name] = Math.round((performance.now() - t) / 100) / 10;
    }
  };

  beforeAll(async () => {
    fs.mkdirSync(root, { recursive: true });
    await removeLeftovers();
  });

  afterAll(async () => {
    await timed("cleanupSeconds", async () => {
      if (app && app.exitCode === null && app.signalCode === null) {
        try {
          process.kill(-app.pid!, "SIGKILL"); // its own process group: buildah and the server it started
        } catch {
          // gone
        }
        await appExit;
      }
      await buildah(["rm", containers.prebuilt, containers.run]).catch(() => undefined);
      await buildah(["rmi", "--force", images.prebuilt, images.runtime]).catch(() => undefined);
    });
    figures.storageMB = Number(spawnSync("du", ["-sm", root], { encoding: "utf8" }).stdout.split("\t")[0]);
    console.log(`image test (${fullBuild ? "full build" : "runtime stage on this machine's build"}, buildah ${driver}): ${JSON.stringify(figures)}`);
  });

  /** Containers and images an earlier run of this test left (killed mid-way): theirs is a process that is gone. */
  async function removeLeftovers() {
    const gone = (name: string) => {
      const pid = Number(/-p(\d+)-/.exec(name)?.[1] ?? /:p(\d+)-/.exec(name)?.[1]);
      if (!pid || pid === process.pid) return false;
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    const ctrs = (JSON.parse((await buildah(["containers", "--json"])).stdout || "null") ?? []) as { containername: string }[];
    const stale = ctrs.map((c) => c.containername).filter((n) => n.startsWith("regatta-image-test-") && gone(n));
    if (stale.length) await buildah(["rm", ...stale]);
    const imgs = (JSON.parse((await buildah(["images", "--json"])).stdout || "null") ?? []) as { names?: string[] }[];
    const staleImages = imgs.flatMap((i) => i.names ?? []).filter((n) => n.startsWith("localhost/regatta-image-test:") && gone(n));
    if (staleImages.length) await buildah(["rmi", "--force", ...staleImages]);
  }

  it(fullBuild ? "builds from source (npm ci, next build), starts without building, serves, signs in, browses and promotes as user 10001, stops on SIGTERM"
    : "builds the runtime stage on this machine's build, runs as user 10001, starts without building, serves, signs in, browses and promotes, stops on SIGTERM", async () => {
    const t0 = performance.now();
    // a base image from this machine's own Node: its binary, its shared libraries, npm, a shell, CA certificates
    await timed("baseSeconds", async () => {
      const baseExists = await buildah(["inspect", "--type", "image", baseImage]).then(() => true, () => false);
      if (!baseExists) await assembleBase();
    });
    if (!fullBuild) await timed("prebuiltSeconds", assemblePrebuilt);
    await timed("budSeconds", bud);
    const info = JSON.parse((await buildah(["inspect", "--type", "image", images.runtime])).stdout);
    const config = info.OCIv1.config as { User: string; Env: string[]; Cmd: string[]; WorkingDir: string; StopSignal: string };
    expect(config.User).toBe("10001:10001");
    expect(config.Env).toContain("REGATTA_PREBUILT=1");
    expect(config.WorkingDir).toBe("/app");
    const healthcheck = info.Docker.config.Healthcheck.Test as string[];
    expect(healthcheck[0]).toBe("CMD");

    // PostgreSQL: a database of its own on the suite's server; the container shares the host's loopback
    const u = new URL(testDatabaseUrl());
    u.pathname = "/postgres";
    const admin = new pg.Client({ connectionString: u.toString() });
    await admin.connect();
    await admin.query("DROP DATABASE IF EXISTS regatta_image WITH (FORCE)");
    await admin.query("CREATE DATABASE regatta_image");
    await admin.end();
    u.pathname = "/regatta_image";
    const port = await freePort();

    const runCtr = await timed("fromSeconds", async () => (await buildah(["from", "--name", containers.run, images.runtime])).stdout.trim());
    // the image's own USER: no --user here
    const who = await buildah(["run", "--isolation", "chroot", runCtr, "--", "node", "-e", "process.stdout.write(process.getuid() + ':' + process.getgid() + ' ' + process.cwd())"]);
    expect(who.stdout).toBe("10001:10001 /app");

    // the image's own CMD, with what an operator sets
    const env = { DATABASE_URL: u.toString(), PORT: String(port), HOST: "127.0.0.1", AUTH_SECRET: "image-test-auth-secret-0123456789",
      REGATTA_MASTER_KEY: Buffer.alloc(32, 5).toString("base64"), REGATTA_ADMIN_EMAIL: "admin@image.test", REGATTA_ADMIN_PASSWORD: "image-test-pw" };
    const t2 = performance.now();
    app = spawn("buildah", [...storage, "run", "--isolation", "chroot", ...Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]), runCtr, "--", ...config.Cmd],
      { stdio: ["ignore", "pipe", "pipe"], detached: true });
    appExit = new Promise((resolve) => app!.once("exit", (code) => resolve(code)));
    let log = "";
    app.stdout!.on("data", (c) => (log += c));
    app.stderr!.on("data", (c) => (log += c));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 600 && app.exitCode === null; i++) {
      try {
        if ((await fetch(`${base}/api/ready`)).ok) break;
      } catch {
        // starting
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    figures.startSeconds = Math.round((performance.now() - t2) / 100) / 10;
    expect(app.exitCode, log).toBeNull();
    expect((await fetch(`${base}/api/ready`)).status, log).toBe(200);
    expect(log).not.toMatch(/building/);
    expect(log.split("\n").filter((l) => l.startsWith("{")).length, log).toBeGreaterThan(3);
    // the image's HEALTHCHECK command, run in the same container beside the server
    const health = await buildah(["run", "--isolation", "chroot", "--env", `PORT=${port}`, runCtr, "--", ...healthcheck.slice(1)]).then(() => 0, (e: { code: number }) => e.code);
    expect(health).toBe(0);

    // sign in, add the registry, browse, promote: as a person would, through the API
    await timed("useSeconds", async () => {
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
      for (let i = 0; i < 600 && state !== "succeeded" && state !== "failed"; i++) {
        state = (await (await fetch(`${base}/api/v1/promotions/${pid}`, { headers: h })).json()).state;
        if (state !== "succeeded" && state !== "failed") await new Promise((r) => setTimeout(r, 200));
      }
      expect(state).toBe("succeeded");
      expect((await skopeoInspect(reg, "prod/app:1.0")).Digest).toBe((await skopeoInspect(reg, "demo/app:1.0")).Digest);
    });

    // STOPSIGNAL to the container's Node process, as `docker stop` and Kubernetes do (`buildah run`
    // does not pass signals on: its chroot wrapper is killed with its child): it drains and exits 0
    expect(config.StopSignal).toBe("SIGTERM");
    const server = nodeProcessUnder(app.pid!, "scripts/start.ts");
    expect(server, "the server's process under buildah run").toBeDefined();
    await timed("stopSeconds", async () => {
      process.kill(server!, "SIGTERM");
      const code = await Promise.race([appExit!, new Promise<string>((r) => setTimeout(() => r("still running after 60 s"), 60_000))]);
      expect(code, log).toBe(0);
    });
    expect(log).toMatch(/stopping: draining requests and jobs/);
    await fetch(`${base}/api/health`).then(() => expect.fail("still answering after it stopped"), () => undefined);
    figures.totalSeconds = Math.round((performance.now() - t0) / 1000);
  }, fullBuild ? 3_600_000 : 900_000);

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
    await buildah(["commit", "--rm", ctr, baseImage]);
    fs.rmSync(rootfs, { recursive: true, force: true });
    // bases of another Node version (this machine's Node was upgraded) are not used again
    const imgs = (JSON.parse((await buildah(["images", "--json"])).stdout || "null") ?? []) as { names?: string[] }[];
    const old = imgs.flatMap((i) => i.names ?? []).filter((n) => n.startsWith("localhost/regatta-test-base:") && n !== baseImage);
    if (old.length) await buildah(["rmi", "--force", ...old]);
  }

  /**
   * What the build stage leaves in /app, from this checkout: node_modules after the build stage's own
   * `npm prune --omit=dev` (an image of its own, kept while package-lock.json and Node are unchanged),
   * and on it the build `npm test` made (.next less .next/cache, as the build stage removes it), the
   * sources and the top files.
   */
  async function assemblePrebuilt() {
    if (!fs.existsSync(".next/BUILD_ID")) {
      throw new Error("no production build in .next: `npm test` builds before the integration suite; alone, run `node --import tsx --conditions=react-server scripts/start.ts --build` first");
    }
    const lock = createHash("sha256").update(fs.readFileSync("package-lock.json")).update(nodeVersion).digest("hex").slice(0, 16);
    const deps = `localhost/regatta-image-test-deps:${lock}`;
    if (!(await buildah(["inspect", "--type", "image", deps]).then(() => true, () => false))) await timed("prunedDepsSeconds", () => assembleDeps(deps));
    const ctr = (await buildah(["from", "--name", containers.prebuilt, deps])).stdout.trim();
    const mount = (await buildah(["mount", ctr])).stdout.trim();
    const to = path.join(mount, "app");
    fs.mkdirSync(path.join(to, ".next"));
    const copies = [...fs.readdirSync(".next").filter((e) => e !== "cache").map((e) => path.join(".next", e)), "lib", "app", "scripts", "prisma",
      "package.json", "package-lock.json", "prisma.config.ts", "next.config.js", "tsconfig.json", "tsconfig.app.json", "instrumentation.ts"];
    for (const p of copies) await run("cp", ["-a", p, path.join(to, p)]);
    await buildah(["commit", "--rm", ctr, images.prebuilt]);
  }

  async function assembleDeps(tag: string) {
    // hard links (nothing copied), pruned by npm as the build stage does
    const tree = path.join(dir, "deps");
    fs.mkdirSync(tree);
    await run("cp", ["-al", "node_modules", path.join(tree, "node_modules")]);
    for (const f of ["package.json", "package-lock.json"]) fs.copyFileSync(f, path.join(tree, f));
    // npm rewrites its record of the tree: unlinked first, so that write never reaches this checkout through a hard link
    fs.rmSync(path.join(tree, "node_modules/.package-lock.json"), { force: true });
    await run("npm", ["prune", "--omit=dev", "--ignore-scripts", "--offline", "--no-audit", "--no-fund"], { cwd: tree, encoding: "utf8" });
    const ctr = (await buildah(["from", "scratch"])).stdout.trim();
    const mount = (await buildah(["mount", ctr])).stdout.trim();
    fs.mkdirSync(path.join(mount, "app"));
    await run("cp", ["-a", path.join(tree, "node_modules"), path.join(mount, "app/node_modules")]);
    await buildah(["commit", "--rm", ctr, tag]);
    fs.rmSync(tree, { recursive: true, force: true });
    // the production node_modules of another package-lock.json is not used again
    const imgs = (JSON.parse((await buildah(["images", "--json"])).stdout || "null") ?? []) as { names?: string[] }[];
    const old = imgs.flatMap((i) => i.names ?? []).filter((n) => n.startsWith("localhost/regatta-image-test-deps:") && n !== tag);
    if (old.length) await buildah(["rmi", "--force", ...old]);
  }

  /** Tags the image of the `COPY … node_modules` step (kept for the next run); the one it replaces goes. */
  async function keepNodeModulesLayer(id: string | undefined) {
    if (fullBuild || !id) return;
    const tag = "localhost/regatta-image-test-cache:node-modules";
    const before = await buildah(["inspect", "--type", "image", tag]).then((r) => JSON.parse(r.stdout).FromImageID as string, () => undefined);
    if (before?.startsWith(id)) return;
    await buildah(["tag", id, tag]);
    if (before) await buildah(["rmi", before]).catch(() => undefined); // with the layers only it had
  }

  async function bud() {
    // Layers kept between runs: the full build skips `npm ci` while package-lock.json is unchanged;
    // the default one reuses the layer of `COPY … node_modules` while its content is the same (buildah
    // still copies, compares the content's digest, and then skips committing ~0.8 GB): that step's
    // image is tagged, so removing this run's image removes only the layers after it.
    const args = ["bud", "--isolation", "chroot", "--format", "docker", "--layers", "--force-rm", "--build-arg", `BASE_IMAGE=${baseImage}`, "-t", images.runtime];
    if (!fullBuild) args.push("--build-arg", `BUILD_FROM=${images.prebuilt}`);
    // each Dockerfile step's seconds (where the build's time goes), from buildah's own STEP lines
    await new Promise<void>((resolve, reject) => {
      const b = spawn("buildah", [...storage, ...args, "."], { stdio: ["ignore", "pipe", "pipe"] });
      let step = "start";
      let since = performance.now();
      let out = "";
      const steps: string[] = [];
      const ids: { step: number; id: string; cached: boolean }[] = [];
      const mark = (next: string) => {
        const key = step.slice(0, 60);
        figures[key] = Math.round(((figures[key] ?? 0) + (performance.now() - since) / 1000) * 10) / 10;
        step = next;
        since = performance.now();
      };
      let pending = "";
      const onData = (c: Buffer) => {
        out = (out + c.toString()).slice(-20_000);
        const lines = (pending + c.toString()).split("\n");
        pending = lines.pop()!;
        for (const line of lines) {
          const m = /^(?:\[\d+\/\d+\] )?STEP \d+\/\d+: (.*)$/.exec(line.trim());
          const id = /^(?:\[\d+\/\d+\] )?--> (Using cache )?([0-9a-f]{11,64})\s*$/.exec(line.trim());
          if (m) {
            steps.push(m[1]!);
            mark(m[1]!);
          } else if (id) {
            if (id[1]) mark(`cached: ${step}`);
            ids.push({ step: steps.length - 1, id: id[2]!, cached: !!id[1] });
          } else if (/^(?:\[\d+\/\d+\] )?(COMMIT|--> Using cache)/.test(line.trim())) mark(`${line.trim().replace(/^\[\d+\/\d+\] /, "").split(" ")[0]} after ${step}`);
        }
      };
      b.stdout!.on("data", onData);
      b.stderr!.on("data", onData);
      b.on("error", reject);
      b.on("exit", (code) => {
        mark("end");
        if (code !== 0) return reject(new Error(`buildah bud failed (${code}):\n${out}`));
        // the default build runs no step of the deps or build stages (nothing is installed or built in it)
        const ranThere = steps.filter((s) => /^RUN (npm ci|npx prisma generate)/.test(s));
        if (!fullBuild && ranThere.length) return reject(new Error(`the deps or build stage ran: ${ranThere.join("; ")}\n${out}`));
        const nodeModules = ids.filter((i) => i.step === steps.findIndex((s) => /^COPY --from=built \/app\/node_modules /.test(s)));
        figures.nodeModulesLayerReused = nodeModules.some((i) => i.cached) ? 1 : 0;
        resolve(keepNodeModulesLayer(nodeModules.at(-1)?.id));
      });
    });
  }
});

/** The first Node process under `pid` (children before grandchildren) whose command line contains `needle`. */
function nodeProcessUnder(pid: number, needle: string): number | undefined {
  const children = new Map<number, number[]>();
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      // gone meanwhile
    }
  }
  const queue = [...(children.get(pid) ?? [])];
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    const cmdline = (() => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, "utf8");
      } catch {
        return "";
      }
    })();
    const argv = cmdline.split("\0");
    if (path.basename(argv[0]!) === "node" && argv.includes(needle)) return p;
    queue.push(...(children.get(p) ?? []));
  }
  return undefined;
}

/** The shared libraries a binary loads, from ldd. */
function ldd(bin: string): string[] {
  return spawnSync("ldd", [bin], { encoding: "utf8" }).stdout.split("\n").map((l) => l.match(/(\/\S+) \(0x/)?.[1]).filter((x): x is string => !!x);
}
