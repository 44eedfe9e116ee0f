// GET /registries/{id}/tags?sort= (issue 15, item 5): the tag table's order for any column from the
// server, so a first page (`limit`) shows the first rows of that order before the whole list has
// travelled, and a reload of a sorted table paints sorted rows. The order is the table's own
// (lib/tag-sort.ts sortTags): rows without the value last, ties by version-aware name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import * as detailsRoute from "@/app/api/v1/registries/[id]/tags/details/route";
import { sortTags } from "@/lib/tag-sort";
import type { TagRow } from "@/lib/schemas/browse";
import { startRegistry, type RunningRegistry } from "../harness";
import { pushBlob, pushDistinctImage } from "../harness/distinct-images";
import { call, userWithToken } from "../support/api";

let reg: RunningRegistry;
let id: string;
let viewer: string;
const REPO = "ci/sorted";
/** 1.1 … 1.12: the higher the version, the smaller the image (name order ≠ size order) */
const VERSIONS = Array.from({ length: 12 }, (_, i) => `1.${i + 1}`);

async function tags(query: Record<string, string>): Promise<{ status: number; body: { tags: TagRow[]; total?: number } & Record<string, unknown> }> {
  const req = new Request(`http://127.0.0.1:3000/api/v1/registries/${id}/tags?${new URLSearchParams({ repository: REPO, ...query })}`, { headers: { authorization: `Bearer ${viewer}` } });
  const res = await tagsRoute.GET(req, { params: Promise.resolve({ id }) });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  reg = await startRegistry({ mode: "open", name: "tags-sort" });
  for (const [i, v] of VERSIONS.entries()) {
    const bytes = new Uint8Array((VERSIONS.length - i) * 512).fill(i + 1);
    await pushDistinctImage(reg, REPO, v, { digest: await pushBlob(reg, REPO, bytes), size: bytes.length });
  }
  const admin = (await userWithToken("ADMIN")).token;
  viewer = (await userWithToken("VIEWER")).token;
  id = (await call(collection.POST, { token: admin, method: "POST", body: { name: `tags-sort-${Date.now()}`, kind: "GENERIC", endpoint: reg.url } })).json.id;
  expect((await call(detailsRoute.POST, { token: viewer, method: "POST", params: { id }, body: { repository: REPO, tags: VERSIONS } })).status).toBe(200);
  // one more tag PostgreSQL knows nothing about yet: no size, so last in either direction
  const bytes = new Uint8Array(64 * 1024).fill(99);
  await pushDistinctImage(reg, REPO, "0.9", { digest: await pushBlob(reg, REPO, bytes), size: bytes.length });
});

afterAll(async () => {
  await reg?.stop();
});

describe("GET …/tags?sort=", () => {
  it("gives a first page in the table's order for a column, both ways, unknown values last", async () => {
    const whole = (await tags({})).body.tags;
    expect(whole.map((t) => t.name)).toEqual(["0.9", ...VERSIONS]);
    const bySize = await tags({ sort: "size", limit: "3" });
    expect(bySize.status).toBe(200);
    expect(bySize.body.total).toBe(13);
    expect(bySize.body.tags.map((t) => t.name)).toEqual(["1.12", "1.11", "1.10"]);
    expect(bySize.body.tags[0]!.size).toBeLessThan(bySize.body.tags[2]!.size!);
    const down = (await tags({ sort: "-size" })).body.tags.map((t) => t.name);
    expect(down).toEqual([...VERSIONS, "0.9"]);
    // exactly what the table computes from the whole list, for every column
    for (const key of ["name", "digest", "kind", "platforms", "size", "createdAt", "pushedAt"] as const) {
      for (const dir of ["asc", "desc"] as const) {
        const page = (await tags({ sort: `${dir === "desc" ? "-" : ""}${key}`, limit: "5" })).body.tags.map((t) => t.name);
        expect(page, `${dir} ${key}`).toEqual(sortTags(whole, { key, dir }).slice(0, 5).map((t) => t.name));
      }
    }
  });

  it("refuses an unknown column, and a column sort of names alone, with a 422", async () => {
    const bad = await tags({ sort: "-colour" });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain("sort must be one of name, digest");
    const namesOnly = await tags({ sort: "-size", fields: "name" });
    expect(namesOnly.status).toBe(422);
    expect(JSON.stringify(namesOnly.body)).toContain("leave out fields=name");
    const namesDown = await tags({ sort: "-name", fields: "name", limit: "2" });
    expect(namesDown.status).toBe(200);
    expect(namesDown.body.tags).toEqual([{ name: "1.12" }, { name: "1.11" }]);
  });
});
