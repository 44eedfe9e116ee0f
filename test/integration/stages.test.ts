// The pipeline's stages under their one name: /api/v1/stages is the path, /api/v1/environments a
// deprecated alias that answers as it always did (its list named `environments`), and the audit
// log written before the rename (`environment.*`) is still found by a filter on `stage.*`.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as stagesRoute from "@/app/api/v1/stages/route";
import * as stageRoute from "@/app/api/v1/stages/[id]/route";
import * as aliasRoute from "@/app/api/v1/environments/route";
import * as aliasOneRoute from "@/app/api/v1/environments/[id]/route";
import * as auditRoute from "@/app/api/v1/audit/route";
import { appendAudit } from "@/lib/audit/log";
import { addRegistry, call, userWithToken } from "../support/api";

let admin: string;
let registryId: string;
const run = randomUUID().slice(0, 8);

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  registryId = await addRegistry(admin, { name: `stages-${run}`, kind: "GENERIC", endpoint: "http://127.0.0.1:1" });
});

const stage = (name: string, position: number) => ({ name: `${name}-${run}`, position, registryId, repository: `stages-${run}/app` });
const names = (rows: { name: string }[]) => rows.map((r) => r.name).filter((n) => n.endsWith(run));

describe("stages", () => {
  it("are created, listed and deleted at /stages, and the old /environments path answers the same", async () => {
    const dev = await call(stagesRoute.POST, { token: admin, method: "POST", body: stage("dev", 1) });
    expect(dev.status, dev.text).toBe(201);
    const prod = await call(aliasRoute.POST, { token: admin, method: "POST", body: stage("prod", 2) });
    expect(prod.status, prod.text).toBe(201);

    const list = await call(stagesRoute.GET, { token: admin });
    expect(names(list.json.stages)).toEqual([`dev-${run}`, `prod-${run}`]);
    const old = await call(aliasRoute.GET, { token: admin });
    expect(old.json.environments).toEqual(list.json.stages);
    // with a tag, both answer the stage cells (the registry is down: digest unknown, an error said)
    const cells = await call(stagesRoute.GET, { token: admin, query: { tag: "v1" } });
    expect(names(cells.json.stages)).toEqual([`dev-${run}`, `prod-${run}`]);
    expect((await call(aliasRoute.GET, { token: admin, query: { tag: "v1" } })).json).toEqual(cells.json);

    const dup = await call(stagesRoute.POST, { token: admin, method: "POST", body: stage("dev", 3) });
    expect(dup.status).toBe(409);
    expect(dup.json.error.message).toContain(`a stage named "dev-${run}" already exists`);

    expect((await call(stageRoute.DELETE, { token: admin, method: "DELETE", params: { id: dev.json.id } })).status).toBe(204);
    expect((await call(aliasOneRoute.DELETE, { token: admin, method: "DELETE", params: { id: prod.json.id } })).status).toBe(204);
    expect(names((await call(stagesRoute.GET, { token: admin })).json.stages)).toEqual([]);
    expect((await call(stageRoute.DELETE, { token: admin, method: "DELETE", params: { id: dev.json.id } })).status).toBe(404);
  });

  it("are audited as stage.create and stage.delete; events written as environment.* before the rename are found by the same filter", async () => {
    await appendAudit({ actorKind: "USER", actor: `old-${run}@example.com`, action: "environment.create", outcome: "success", registryId, repository: `stages-${run}/app`, details: { name: `legacy-${run}` } });
    const actions = async (action: string) =>
      ((await call(auditRoute.GET, { token: admin, query: { action, registryId } })).json.events as { action: string }[]).map((e) => e.action).sort();
    expect(await actions("stage.*")).toEqual(["environment.create", "stage.create", "stage.create", "stage.delete", "stage.delete"]);
    expect(await actions("stage.create")).toEqual(["environment.create", "stage.create", "stage.create"]);
    expect(await actions("environment.create")).toEqual(["environment.create"]);
  });
});
