// Checks the harness itself: real registries, seeded with real images, verified with skopeo
// (a client this project did not write).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  STANDARD_PLAN, defaultTagName, fetchToken, getManifest, pushBigImage, pushManyTags, pushImage, registryFetch, retag, seedStandard, skopeo,
  skopeoInspect, skopeoListTags, skopeoPush, startRegistry, dockerRef,
  type RegistryMode, type RunningRegistry, type StandardSeed,
} from "../harness";

const MODES: RegistryMode[] = ["open", "htpasswd", "token"];
const regs = {} as Record<RegistryMode, RunningRegistry>;
const seeds = {} as Record<RegistryMode, StandardSeed>;

beforeAll(async () => {
  const t0 = performance.now();
  await Promise.all(MODES.map(async (mode) => { regs[mode] = await startRegistry({ mode }); }));
  await Promise.all(MODES.map(async (mode) => { seeds[mode] = await seedStandard(regs[mode]); }));
  console.log(`started and seeded ${MODES.length} registries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});

afterAll(async () => {
  await Promise.all(Object.values(regs).map((r) => r.stop()));
});

describe.each(MODES)("%s registry seeded with the standard plan", (mode) => {
  it("lists all 1,500 tags of demo/many", async () => {
    const tags = await skopeoListTags(regs[mode], STANDARD_PLAN.manyRepo);
    expect(tags).toHaveLength(1500);
    expect(new Set(tags)).toEqual(new Set(Array.from({ length: 1500 }, (_, i) => defaultTagName(i + 1))));
    const one = await skopeoInspect(regs[mode], `${STANDARD_PLAN.manyRepo}:v1500`);
    expect(one.Digest).toBe(seeds[mode].digests["demo/many:v0001"]);
  });

  it("has demo/app 1.0.0, 1.1.0 and latest (= 1.1.0) as Docker schema 2", async () => {
    const reg = regs[mode];
    expect((await skopeoListTags(reg, "demo/app")).sort()).toEqual(["1.0.0", "1.1.0", "latest"]);
    const latest = await skopeoInspect(reg, "demo/app:latest");
    expect(latest.Digest).toBe(seeds[mode].digests["demo/app:1.1.0"]);
    expect(latest.Env).toContain("APP_VERSION=1.1.0");
    const old = await skopeoInspect(reg, "demo/app:1.0.0");
    expect(old.Digest).toBe(seeds[mode].digests["demo/app:1.0.0"]);
    expect(old.Digest).not.toBe(latest.Digest);
    expect(old.Layers[0]).toBe(latest.Layers[0]); // shared base layer
    const raw = await skopeoInspect(reg, "demo/app:1.0.0", { raw: true });
    expect(raw.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    expect(raw.layers).toHaveLength(2);
  });

  it("has demo/oci:1.0 as an OCI image with env, labels, entrypoint and history", async () => {
    const reg = regs[mode];
    const inspect = await skopeoInspect(reg, "demo/oci:1.0");
    expect(inspect.Digest).toBe(seeds[mode].digests["demo/oci:1.0"]);
    const raw = await skopeoInspect(reg, "demo/oci:1.0", { raw: true });
    expect(raw.config.mediaType).toBe("application/vnd.oci.image.config.v1+json");
    expect(raw.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(
      Array(2).fill("application/vnd.oci.image.layer.v1.tar+gzip"));
    const config = await skopeoInspect(reg, "demo/oci:1.0", { config: true });
    expect(config.config.Env).toEqual(STANDARD_PLAN.oci.env);
    expect(config.config.Labels).toEqual(STANDARD_PLAN.oci.labels);
    expect(config.config.Entrypoint).toEqual(STANDARD_PLAN.oci.entrypoint);
    expect(config.config.Cmd).toEqual(STANDARD_PLAN.oci.cmd);
    expect(config.config.WorkingDir).toBe("/srv");
    const createdBy = config.history.map((h: { created_by?: string }) => h.created_by);
    expect(createdBy).toEqual(expect.arrayContaining(["COPY demo /usr/local/bin/demo", "COPY site /srv"]));
  });

  it("has demo/multi:1.0 as an OCI index for linux/amd64 and linux/arm64", async () => {
    const reg = regs[mode];
    const raw = await skopeoInspect(reg, "demo/multi:1.0", { raw: true });
    expect(raw.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(raw.manifests.map((m: { platform: { os: string; architecture: string } }) =>
      `${m.platform.os}/${m.platform.architecture}`)).toEqual(["linux/amd64", "linux/arm64"]);
    const creds = reg.username ? ["--creds", `${reg.username}:${reg.password}`] : [];
    const arm = JSON.parse(await skopeo(["--override-arch", "arm64", "inspect", "--tls-verify=false", ...creds,
      dockerRef(reg, "demo/multi:1.0")]));
    expect(arm.Architecture).toBe("arm64");
    expect(arm.Digest).toBe(seeds[mode].multi.digest);
    const child = await skopeoInspect(reg, `demo/multi@${seeds[mode].multi.manifests[1].digest}`, { config: true });
    expect(child.architecture).toBe("arm64");
  });
});

describe("authentication", () => {
  const wrong = { username: "alice", password: "wrong-password" };

  it("htpasswd: rejects a wrong password and anonymous access", async () => {
    await expect(skopeoListTags(regs.htpasswd, "demo/app", { creds: wrong })).rejects.toThrow(/unauthorized|401/i);
    await expect(skopeoListTags(regs.htpasswd, "demo/app", { creds: null })).rejects.toThrow(/unauthorized|401/i);
    const res = await fetch(`${regs.htpasswd.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
  });

  it("token: wrong password is refused by the token server and skopeo fails", async () => {
    const res = await fetch(`${regs.token.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(`Bearer realm="${regs.token.tokenServer!.url}"`);
    expect((await fetchToken(regs.token, ["repository:demo/app:pull"], wrong)).status).toBe(401);
    await expect(skopeoListTags(regs.token, "demo/app", { creds: wrong })).rejects.toThrow(/401|unauthorized/i);
  });

  it("token: anonymous may pull but not push", async () => {
    expect(await skopeoListTags(regs.token, "demo/app", { creds: null })).toHaveLength(3);
    await expect(skopeoPush(regs.token, `docker://${regs.token.host}/demo/app:1.0.0`, "demo/anon:1", [
      "--src-tls-verify=false", "--src-no-creds"], { creds: null })).rejects.toThrow(/unauthorized|denied|401/i);
    expect(await skopeoListTags(regs.token, "demo/app")).not.toContain("anon");
  });

  it("token: every skopeo call asks the token server, and the count goes up", async () => {
    const before = regs.token.tokenServer!.requests;
    await skopeoInspect(regs.token, "demo/app:1.0.0");
    expect(regs.token.tokenServer!.requests).toBeGreaterThan(before);
    expect(regs.token.tokenServer!.log.at(-1)).toMatchObject({ user: "alice", status: 200 });
  });

  it("token: tokens expire (after the registry's 60 s leeway) and revokeAll invalidates issued tokens", async () => {
    const ts = regs.token.tokenServer!;
    const tags = (token: string) => fetch(`${regs.token.url}/v2/demo/app/tags/list`, { headers: { authorization: `Bearer ${token}` } })
      .then((r) => r.status);
    try {
      ts.setTtl(-61);
      expect(await tags((await fetchToken(regs.token, ["repository:demo/app:pull"])).token!)).toBe(401);
    } finally {
      ts.setTtl(300);
    }
    const token = (await fetchToken(regs.token, ["repository:demo/app:pull"])).token!;
    expect(await tags(token)).toBe(200);
    await ts.revokeAll();
    expect(await tags(token)).toBe(401);
    expect(await tags((await fetchToken(regs.token, ["repository:demo/app:pull"])).token!)).toBe(200);
  });
});

describe("deletes and logs", () => {
  it("DELETE by digest removes the image and every tag on it (storage.delete.enabled)", async () => {
    const reg = regs.token;
    const digest = await pushImage(reg, "scratch/del:a", { layers: [{ files: { "x.txt": "delete me\n" } }] });
    expect(await retag(reg, "scratch/del", "a", "b")).toBe(digest);
    const res = await registryFetch(reg, `/v2/scratch/del/manifests/${digest}`, {
      method: "DELETE", scopes: ["repository:scratch/del:delete"] });
    expect(res.status).toBe(202);
    await expect(skopeoInspect(reg, "scratch/del:a")).rejects.toThrow(/manifest unknown/i);
    await expect(skopeoInspect(reg, "scratch/del:b")).rejects.toThrow(/manifest unknown/i);
  });

  it("pushes a 120 MiB random layer and the access log shows the blob uploads", async () => {
    const reg = regs.open;
    const big = await pushBigImage(reg, "big:1", 120);
    console.log(`big image: ${big.seconds.toFixed(1)} s`);
    const inspect = await skopeoInspect(reg, "big:1");
    expect(inspect.Digest).toBe(big.digest);
    const raw = await skopeoInspect(reg, "big:1", { raw: true });
    expect(raw.layers).toHaveLength(1);
    expect(raw.layers[0].size).toBeGreaterThanOrEqual(120 * 1024 * 1024); // random data does not compress
    const uploads = reg.accessLog().filter((e) => e.method === "PUT" && e.path.startsWith("/v2/big/blobs/uploads/"));
    expect(uploads.map((e) => e.status)).toEqual([201, 201]); // the layer and the config
  });
});

describe("storage shortcuts", () => {
  // seedStandard copies a template registry's storage and pushManyTags writes tag links straight
  // into storage: both must leave what pushes over HTTP leave, as the registry and skopeo see it.
  const tree = (dir: string): Record<string, string> => Object.fromEntries(
    (fs.readdirSync(dir, { recursive: true }) as string[]).sort().map((p) => {
      const full = path.join(dir, p);
      return [p, fs.statSync(full).isDirectory() ? "dir" : fs.readFileSync(full, "utf8")];
    }));

  it("tags written by pushManyTags are laid out as a manifest PUT leaves them, and served", async () => {
    const reg = regs.htpasswd;
    const tags = await pushManyTags(reg, "demo/app", 2, "1.0.0", { name: (i) => `direct-${i}` });
    const { bytes, mediaType, digest } = await getManifest(reg, "demo/app", "1.0.0");
    const put = await registryFetch(reg, "/v2/demo/app/manifests/over-http", {
      method: "PUT", body: bytes, headers: { "content-type": mediaType }, scopes: ["repository:demo/app:pull,push"] });
    expect(put.status).toBe(201);
    const tagsDir = path.join(reg.dataDir, "docker/registry/v2/repositories/demo/app/_manifests/tags");
    expect(tree(path.join(tagsDir, "direct-1"))).toEqual(tree(path.join(tagsDir, "over-http")));
    expect(tree(path.join(tagsDir, "direct-1"))).toEqual({
      current: "dir", "current/link": digest, index: "dir", "index/sha256": "dir",
      [`index/sha256/${digest.slice(7)}`]: "dir", [`index/sha256/${digest.slice(7)}/link`]: digest,
    });
    expect(await skopeoListTags(reg, "demo/app")).toEqual(expect.arrayContaining([...tags, "over-http"]));
    expect((await skopeoInspect(reg, "demo/app:direct-2")).Digest).toBe(digest);
  });

  it("every seeded registry holds the same digests, each served by the registry", async () => {
    for (const mode of MODES) {
      expect(seeds[mode].digests).toEqual(seeds.open.digests);
      for (const [ref, digest] of Object.entries(seeds[mode].digests)) {
        expect((await getManifest(regs[mode], ref.split(":")[0], ref.split(":")[1])).digest, `${mode} ${ref}`).toBe(digest);
      }
    }
  });
});

describe("notifications", () => {
  it("a push sends an event POST with the configured Authorization header and the event envelope", async () => {
    const received: { headers: http.IncomingHttpHeaders; body: any }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    const reg = await startRegistry({
      mode: "htpasswd", name: "notify", notifications: { url, headers: { Authorization: "Bearer notify-secret" } },
    });
    try {
      const digest = await pushImage(reg, "hooks/app:1", { layers: [{ files: { "a.txt": "event\n" } }] });
      const deadline = Date.now() + 15_000;
      const isTagPush = (e: any) => e.action === "push" && e.target?.tag === "1";
      while (!received.some((r) => r.body.events.some(isTagPush)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const post = received.find((r) => r.body.events.some(isTagPush));
      expect(post, "no manifest push event arrived").toBeDefined();
      expect(post!.headers.authorization).toBe("Bearer notify-secret");
      expect(post!.headers["content-type"]).toMatch(/^application\/vnd\.docker\.distribution\.events\.v[12]\+json/);
      const event = post!.body.events.find(isTagPush);
      expect(event).toMatchObject({
        id: expect.any(String),
        timestamp: expect.any(String),
        action: "push",
        target: {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest, repository: "hooks/app", tag: "1",
          url: expect.stringContaining(`/v2/hooks/app/manifests/${digest}`),
        },
        request: { method: "PUT", useragent: expect.stringContaining("skopeo") },
        actor: { name: "alice" },
      });
    } finally {
      await reg.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
