// GET /registries/{id}/tags?fields=name (issue 15, item 6): the names alone, in the table's order,
// the cheap form CI uses in place of `skopeo list-tags`; PostgreSQL is not asked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import * as detailsRoute from "@/app/api/v1/registries/[id]/tags/details/route";
import { pushImage, pushManyTags, skopeoListTags, startRegistry, type RunningRegistry } from "../harness";
import { call, userWithToken } from "../support/api";

let reg: RunningRegistry;
let id: string;
let viewer: string;
const REPO = "ci/names";

function tags(query: Record<string, string>): Promise<Response> {
  const req = new Request(`http://127.0.0.1:3000/api/v1/registries/${id}/tags?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${viewer}` } });
  return tagsRoute.GET(req, { params: Promise.resolve({ id }) });
}

beforeAll(async () => {
  reg = await startRegistry({ mode: "htpasswd", name: "tags-names" });
  await pushImage(reg, `${REPO}:v0001`, { layers: [{ files: { "/a.txt": "a" } }], format: "oci" });
  await pushManyTags(reg, REPO, 30, "v0001", { name: (i) => (i === 1 ? "v0001" : `1.${i}`) });
  const admin = (await userWithToken("ADMIN")).token;
  viewer = (await userWithToken("VIEWER")).token;
  const res = await call(collection.POST, { token: admin, method: "POST", body: { name: `tags-names-${Date.now()}`, kind: "GENERIC", endpoint: reg.url, credentials: { username: reg.username, password: reg.password } } });
  id = res.json.id;
});

afterAll(async () => {
  await reg?.stop();
});

describe("GET …/tags?fields=name", () => {
  it("answers the names alone, in the order of the full form, even for tags PostgreSQL knows", async () => {
    // fill what PostgreSQL knows about some tags, so the full form carries digests for them
    const known = await call(detailsRoute.POST, { token: viewer, method: "POST", params: { id }, body: { repository: REPO, tags: ["v0001", "1.2", "1.10"] } });
    expect(known.status).toBe(200);
    const full = (await (await tags({ repository: REPO })).json()) as { tags: Record<string, unknown>[] };
    expect(full.tags.find((t) => t.name === "1.10")?.digest).toMatch(/^sha256:/);

    const res = await tags({ repository: REPO, fields: "name" });
    expect(res.status).toBe(200);
    expect(res.headers.get("server-timing")).toMatch(/db;dur=0\.0/);
    const names = (await res.json()) as { tags: Record<string, unknown>[]; at: string };
    expect(names.tags.every((t) => Object.keys(t).join() === "name")).toBe(true);
    expect(names.tags.map((t) => t.name)).toEqual(full.tags.map((t) => t.name));
    expect([...names.tags.map((t) => t.name as string)].sort()).toEqual((await skopeoListTags(reg, REPO)).sort());
    expect(Date.parse(names.at)).not.toBeNaN();

    const first = (await (await tags({ repository: REPO, fields: "name", limit: "5" })).json()) as { tags: { name: string }[]; total: number };
    expect(first).toMatchObject({ total: 30, tags: full.tags.slice(0, 5).map((t) => ({ name: t.name })) });
  });

  it("refuses any other field list with a 422, as every invalid query", async () => {
    const res = await tags({ repository: REPO, fields: "digest" });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain("fields");
  });
});
