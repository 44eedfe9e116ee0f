// The standard content every harness registry gets, and the (slow) big image.
// Layouts are built once per process and pushed once per run to a template registry whose storage
// every later registry gets a copy of (see seed-cache.ts), so every registry holds byte-identical
// manifests (same digests everywhere).
import fs from "node:fs";
import path from "node:path";
import { buildImage, buildIndex, pushImage, pushIndex, pushManyTags, retag, type BuiltImage, type ImageSpec, type PushedIndex } from "./images";
import { startRegistry, type RunningRegistry } from "./registry";
import { cacheEntry, copyTree, hasNotifications, perRunCache } from "./seed-cache";
import { tool } from "./skopeo";

const base = { files: { "etc/os-release": "NAME=regatta-test\nID=regatta\n" }, createdBy: "ADD rootfs /" };
const app = (version: string): ImageSpec => ({
  layers: [base, { files: { "app/VERSION": `${version}\n`, "app/run.sh": "#!/bin/sh\necho demo app\n" }, createdBy: `COPY app-${version} /app` }],
  env: [`APP_VERSION=${version}`],
  labels: { "org.opencontainers.image.version": version },
  entrypoint: ["/app/run.sh"],
});

/** What seedStandard pushes; tests compare against these values. */
export const STANDARD_PLAN = {
  app: { "1.0.0": app("1.0.0"), "1.1.0": app("1.1.0") },
  oci: {
    env: ["PATH=/usr/local/bin:/usr/bin:/bin", "GREETING=hello"],
    labels: { "org.opencontainers.image.title": "demo-oci", "org.opencontainers.image.vendor": "Regatta tests" },
    entrypoint: ["/usr/local/bin/demo"],
    cmd: ["--serve"],
    workingDir: "/srv",
    author: "Regatta tests",
    layers: [
      { files: { "usr/local/bin/demo": "#!/bin/sh\necho demo\n" }, createdBy: "COPY demo /usr/local/bin/demo" },
      { files: { "srv/index.html": "<h1>demo</h1>\n" }, createdBy: "COPY site /srv" },
    ],
  } as ImageSpec & { env: string[]; labels: Record<string, string>; entrypoint: string[]; cmd: string[] },
  platforms: ["linux/amd64", "linux/arm64"],
  manyRepo: "demo/many",
  manyCount: 1500,
};

interface Layouts { app100: BuiltImage; app110: BuiltImage; oci: BuiltImage; multi: BuiltImage; many: BuiltImage }
let layouts: Promise<Layouts> | undefined;

function standardLayouts(): Promise<Layouts> {
  layouts ??= (async () => {
    const [apps, oci, multi, many] = await Promise.all([
      (async () => {
        const a = await buildImage(STANDARD_PLAN.app["1.0.0"], "1.0.0");
        return [a, await buildImage(STANDARD_PLAN.app["1.1.0"], "1.1.0", a.layout)] as const;
      })(),
      buildImage(STANDARD_PLAN.oci, "1.0"),
      buildIndex(STANDARD_PLAN.platforms, {}, "1.0"),
      buildImage({ layers: [{ files: { "many.txt": "one manifest, many tags\n" } }] }, "v0001"),
    ]);
    return { app100: apps[0], app110: apps[1], oci, multi, many };
  })();
  return layouts;
}

export interface StandardSeed {
  /** "repo:tag" → manifest digest, for demo/app:{1.0.0,1.1.0,latest}, demo/oci:1.0, demo/multi:1.0, demo/many:v0001 */
  digests: Record<string, string>;
  multi: PushedIndex;
  manyTags: string[];
  seconds: number;
}

/**
 * Put the standard content (see STANDARD_PLAN) into `reg`. The first call of a run pushes it over
 * HTTP (skopeo, manifest PUTs) to a template registry; every call then copies the template's
 * storage into `reg`'s (same blobs, manifests, tags and digests, as if pushed). A registry with
 * notification endpoints gets the content pushed over HTTP instead, so its events are sent.
 */
export async function seedStandard(reg: RunningRegistry): Promise<StandardSeed> {
  const t0 = performance.now();
  if (hasNotifications(reg)) return { ...(await pushStandard(reg)), seconds: (performance.now() - t0) / 1000 };
  const dir = await cacheEntry("standard", "seed.json", async (tmp) => {
    const template = await startRegistry({ mode: "open", name: "seed-template", baseDir: tmp });
    try {
      const seed = await pushStandard(template);
      await template.halt();
      fs.renameSync(template.dataDir, path.join(tmp, "data"));
      fs.writeFileSync(path.join(tmp, "seed.json"), JSON.stringify(seed));
    } finally {
      await template.stop();
    }
  });
  await copyTree(path.join(dir, "data"), reg.dataDir);
  const seed = JSON.parse(fs.readFileSync(path.join(dir, "seed.json"), "utf8")) as Omit<StandardSeed, "seconds">;
  return { ...seed, seconds: (performance.now() - t0) / 1000 };
}

/** Push the standard content to `reg` over HTTP. */
async function pushStandard(reg: RunningRegistry): Promise<Omit<StandardSeed, "seconds">> {
  const L = await standardLayouts();
  const [app100, app110, oci, multi, many] = await Promise.all([
    pushImage(reg, "demo/app:1.0.0", L.app100, { format: "v2s2" }),
    pushImage(reg, "demo/app:1.1.0", L.app110, { format: "v2s2" }),
    pushImage(reg, "demo/oci:1.0", L.oci, { format: "oci" }),
    pushIndex(reg, "demo/multi:1.0", STANDARD_PLAN.platforms, L.multi),
    pushImage(reg, `${STANDARD_PLAN.manyRepo}:v0001`, L.many, { format: "oci" }),
  ]);
  const latest = await retag(reg, "demo/app", "1.1.0", "latest");
  const manyTags = await pushManyTags(reg, STANDARD_PLAN.manyRepo, STANDARD_PLAN.manyCount, "v0001");
  return {
    digests: {
      "demo/app:1.0.0": app100, "demo/app:1.1.0": app110, "demo/app:latest": latest,
      "demo/oci:1.0": oci, "demo/multi:1.0": multi.digest, [`${STANDARD_PLAN.manyRepo}:v0001`]: many,
    },
    multi,
    manyTags,
  };
}

const bigLayouts = new Map<number, Promise<BuiltImage>>();

/** The big image's OCI layout: built once per size and run (per process when the cache outlives runs). */
function bigLayout(sizeMiB: number): Promise<BuiltImage> {
  let built = bigLayouts.get(sizeMiB);
  if (!built) {
    const spec = { layers: [{ randomBytes: sizeMiB * 1024 * 1024, createdBy: `random ${sizeMiB} MiB` }] };
    built = !perRunCache()
      ? buildImage(spec, "big")
      : (async () => {
        const dir = await cacheEntry(`big-${sizeMiB}`, "oci/index.json", async (tmp) => {
          const image = await buildImage(spec, "big");
          await copyTree(path.dirname(image.layout), tmp);
          fs.rmSync(path.dirname(image.layout), { recursive: true, force: true });
        });
        const layout = path.join(dir, "oci");
        return { layout, tag: "big", src: `oci:${layout}:big` };
      })();
    bigLayouts.set(sizeMiB, built);
  }
  return built;
}

/** Push an image with one random layer of `sizeMiB` MiB (built once per size and run). */
export async function pushBigImage(
  reg: RunningRegistry, ref = "big:1", sizeMiB = 120,
): Promise<{ digest: string; layerSize: number; seconds: number }> {
  const t0 = performance.now();
  const image = await bigLayout(sizeMiB);
  const digest = await pushImage(reg, ref, image, { format: "oci" });
  const manifest = JSON.parse(fs.readFileSync(path.join(image.layout, "blobs", "sha256", digest.slice(7)), "utf8")) as {
    layers: { size: number }[];
  };
  return { digest, layerSize: manifest.layers[0].size, seconds: (performance.now() - t0) / 1000 };
}

/** Versions of the external tools, for logs and reports. */
export async function toolVersions(): Promise<Record<string, string>> {
  const v = async (cmd: string, args: string[]) => (await tool(cmd, args).catch((e: Error) => e.message)).split("\n")[0].trim();
  return {
    registry: await v("docker-registry", ["--version"]),
    skopeo: await v("skopeo", ["--version"]),
    umoci: await v("umoci", ["--version"]),
  };
}
