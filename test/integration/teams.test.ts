// Teams: three registries (red, blue, green) holding the same image, two teams. Red's members
// (alice: OPERATOR on red) and blue's (bob: VIEWER on blue) have no global role (NONE). Every read
// path answers each of them with their own registry only — lists, repositories, tags, manifests,
// where-else, search (repositories, tags, digests), activity, promotions, tag history, the audit
// log and its export — and the other registries answer 404 as if missing. Writes follow the grant
// (promote needs OPERATOR on the target, delete and sync too); tokens are cut to their owner's
// rights at each use; OIDC groups join and leave teams.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as registriesRoute from "@/app/api/v1/registries/route";
import * as registryRoute from "@/app/api/v1/registries/[id]/route";
import * as repositoriesRoute from "@/app/api/v1/registries/[id]/repositories/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import * as manifestsRoute from "@/app/api/v1/registries/[id]/manifests/route";
import * as historyRoute from "@/app/api/v1/registries/[id]/tag-history/route";
import * as syncRoute from "@/app/api/v1/registries/[id]/sync/route";
import * as searchRoute from "@/app/api/v1/search/route";
import * as auditRoute from "@/app/api/v1/audit/route";
import * as activityRoute from "@/app/api/v1/audit/activity/route";
import * as promotionsRoute from "@/app/api/v1/promotions/route";
import * as promotionRoute from "@/app/api/v1/promotions/[id]/route";
import * as teamsRoute from "@/app/api/v1/teams/route";
import * as teamRoute from "@/app/api/v1/teams/[id]/route";
import * as membersRoute from "@/app/api/v1/teams/[id]/members/route";
import * as grantsRoute from "@/app/api/v1/teams/[id]/grants/route";
import * as grantRoute from "@/app/api/v1/teams/[id]/grants/[grantId]/route";
import * as tokensRoute from "@/app/api/v1/tokens/route";
import * as meRoute from "@/app/api/v1/me/route";
import * as rulesRoute from "@/app/api/v1/protection-rules/route";
import * as ruleRoute from "@/app/api/v1/protection-rules/[id]/route";
import * as stagesRoute from "@/app/api/v1/stages/route";
import * as stageRoute from "@/app/api/v1/stages/[id]/route";
import { appendAudit } from "@/lib/audit/log";
import { mayPublish, visibilityOf } from "@/lib/auth/access";
import { tokenActor } from "@/lib/auth/actor";
import { syncOidcTeams } from "@/lib/auth/oidc-link";
import { db } from "@/lib/db";
import { stopBoss } from "@/lib/jobs/boss";
import { syncRegistry } from "@/lib/services/registry-sync";
import { recentActivity } from "@/lib/services/audit";
import { buildImage, pushImage, skopeoInspect, startRegistry, type RunningRegistry } from "../harness";
import { userWithToken } from "../support/api";
import { makeToken, makeUser } from "../support/principals";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;

async function api(handler: Handler, token: string, opts: { method?: string; query?: Record<string, string>; params?: Record<string, string>; body?: unknown } = {}) {
  const qs = opts.query ? `?${new URLSearchParams(opts.query)}` : "";
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const req = new Request(`http://127.0.0.1:3000/api/v1/x${qs}`, { method: opts.method ?? "GET", headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  return { status: res.status, text, json: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined };
}

const COLORS = ["red", "blue", "green"] as const;
type Color = (typeof COLORS)[number];
const running: Partial<Record<Color, RunningRegistry>> = {};
const ids = {} as Record<Color, string>;
let digest: string;
let admin: string;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
let carol: { id: string; token: string };
const teams: Record<string, string> = {};
let aliceGrant: string;

/** Everything in one answer's text that names another registry than `own`. */
const leaks = (text: string, own: Color) => COLORS.filter((c) => c !== own).filter((c) => text.includes(ids[c]) || text.includes(`${c}/app`) || text.includes(`teams-${c}`));

async function noneUser(label: string) {
  const user = await makeUser("NONE", label);
  return { id: user.id, token: (await makeToken(user.id, label)).token };
}

beforeAll(async () => {
  process.env.REGATTA_SYNC_INTERVAL_MINUTES = "0";
  const image = await buildImage({ labels: { app: "teams" } });
  admin = (await userWithToken("ADMIN")).token;
  for (const c of COLORS) {
    running[c] = await startRegistry({ mode: "open", name: `teams-${c}` });
    digest = await pushImage(running[c]!, `${c}/app:1.0`, image);
    const res = await api(registriesRoute.POST, admin, { method: "POST", body: { name: `teams-${c}`, kind: "GENERIC", endpoint: running[c]!.url } });
    expect(res.status, res.text).toBe(201);
    ids[c] = res.json.id;
    await syncRegistry(ids[c]);
    await appendAudit({ actorKind: "USER", actor: `pusher-${c}@example.com`, action: "registry.push", outcome: "success", registryId: ids[c], repository: `${c}/app`, tag: "1.0", digest });
    await db.promotion.create({
      data: { sourceRegistryId: ids[c], sourceRepository: `${c}/app`, sourceReference: "1.0", targetRegistryId: ids[c], targetRepository: `${c}/app`, targetTag: "seen", kind: "retag", state: "SUCCEEDED", requestedBy: "admin@example.com" },
    });
  }
  [alice, bob, carol] = [await noneUser("alice"), await noneUser("bob"), await noneUser("carol")];
  // the teams, members and grants through the API, as an admin makes them
  const grants: [string, string, Color, string, { id: string }][] = [["red", "OPERATOR", "red", "*", alice], ["blue", "VIEWER", "blue", "*", bob], ["red-admins", "ADMIN", "red", "*", carol]];
  for (const [name, role, color, repositoryGlob, who] of grants) {
    const t = await api(teamsRoute.POST, admin, { method: "POST", body: { name: `teams-test-${name}` } });
    expect(t.status, t.text).toBe(201);
    teams[name] = t.json.id;
    expect((await api(membersRoute.POST, admin, { method: "POST", params: { id: t.json.id }, body: { userId: who.id } })).status).toBe(201);
    const g = await api(grantsRoute.POST, admin, { method: "POST", params: { id: t.json.id }, body: { registryId: ids[color], repositoryGlob, role } });
    expect(g.status, g.text).toBe(201);
    if (name === "red") aliceGrant = g.json.id;
  }
}, 240_000);

afterAll(async () => {
  await stopBoss();
  await Promise.all(COLORS.map((c) => running[c]?.stop()));
});

describe("what a team member sees", () => {
  for (const [who, own] of [["alice", "red"], ["bob", "blue"]] as const) {
    describe(`${who} (team ${own})`, () => {
      const token = () => (who === "alice" ? alice : bob).token;

      it("lists their registry only, and the others are missing (404)", async () => {
        const list = await api(registriesRoute.GET, token());
        expect(list.json.registries.filter((r: { name: string }) => r.name.startsWith("teams-")).map((r: { id: string }) => r.id)).toEqual([ids[own]]);
        for (const c of COLORS.filter((x) => x !== own)) {
          const params = { id: ids[c] };
          const repo = { repository: `${c}/app` };
          for (const [what, res] of [
            ["registry", await api(registryRoute.GET, token(), { params })],
            ["repositories", await api(repositoriesRoute.GET, token(), { params })],
            ["tags", await api(tagsRoute.GET, token(), { params, query: repo })],
            ["manifest", await api(manifestsRoute.GET, token(), { params, query: { ...repo, reference: "1.0" } })],
            ["manifest by digest", await api(manifestsRoute.GET, token(), { params, query: { ...repo, reference: digest } })],
            ["tag history", await api(historyRoute.GET, token(), { params, query: { ...repo, tag: "1.0" } })],
            ["sync status", await api(syncRoute.GET, token(), { params })],
          ] as const) {
            expect(res.status, `${who}: ${what} of ${c}: ${res.text}`).toBe(404);
            // the same answer as for a registry that does not exist
            expect(res.json.error.code, what).toBe("NOT_FOUND");
          }
        }
      });

      it("browses their own registry: repositories, tags, manifest with where-else of their registry only", async () => {
        const params = { id: ids[own] };
        const repos = await api(repositoriesRoute.GET, token(), { params });
        expect(repos.json.repositories.map((r: { name: string }) => r.name)).toEqual([`${own}/app`]);
        const tags = await api(tagsRoute.GET, token(), { params, query: { repository: `${own}/app` } });
        expect(tags.status, tags.text).toBe(200);
        expect(tags.json.tags.map((t: { name: string }) => t.name)).toContain("1.0");
        const m = await api(manifestsRoute.GET, token(), { params, query: { repository: `${own}/app`, reference: "1.0" } });
        expect(m.status, m.text).toBe(200);
        expect(m.json.digest).toBe(digest);
        // the same digest is in all three registries; "where else" names only what they may see
        expect(m.json.whereElse.tags.map((p: { registryId: string }) => p.registryId)).toEqual([ids[own]]);
        expect(m.json.whereElse.tagCount).toBe(1);
        expect(leaks(JSON.stringify(m.json.whereElse), own)).toEqual([]);
        expect((await api(historyRoute.GET, token(), { params, query: { repository: `${own}/app`, tag: "1.0" } })).status).toBe(200);
      });

      it("searches repositories, tags and digests of their registry only", async () => {
        for (const q of ["app", "1.0", digest, digest.slice(7, 19), `${own}/app:1.0`, "teams"]) {
          const res = await api(searchRoute.GET, token(), { query: { q } });
          expect(res.status, res.text).toBe(200);
          const mine = res.json.results.filter((h: { registryName: string }) => h.registryName.startsWith("teams-"));
          for (const h of mine) expect(h.registryId, `${q}: ${JSON.stringify(h)}`).toBe(ids[own]);
          expect(leaks(res.text, own), `search ${q}`).toEqual([]);
        }
        const hits = (await api(searchRoute.GET, token(), { query: { q: digest } })).json.results;
        expect(hits.some((h: { registryId: string; kind: string }) => h.kind === "digest" && h.registryId === ids[own])).toBe(true);
      });

      it("sees recent activity and promotions of their registry only", async () => {
        const actor = (await tokenActor(new Headers({ authorization: `Bearer ${token()}` })))!;
        const activity = await recentActivity(100, visibilityOf(actor));
        expect(activity.length).toBeGreaterThan(0);
        expect(new Set(activity.map((a) => a.registryId))).toEqual(new Set([ids[own]]));
        const promotions = await api(promotionsRoute.GET, token());
        const ours = promotions.json.promotions.filter((p: { target: { registryId: string } }) => COLORS.some((c) => ids[c] === p.target.registryId));
        expect(ours.length).toBeGreaterThan(0);
        expect(leaks(JSON.stringify(ours), own)).toEqual([]);
        const other = await db.promotion.findFirstOrThrow({ where: { targetRegistryId: ids[own === "red" ? "blue" : "red"] } });
        expect((await api(promotionRoute.GET, token(), { params: { id: other.id } })).status).toBe(404);
      });

      it("may not read the audit log (no registry admin grant)", async () => {
        expect((await api(auditRoute.GET, token())).status).toBe(403);
        expect((await api(activityRoute.GET, token())).status).toBe(403);
      });

      it("GET /me says which team and grant give what", async () => {
        const me = await api(meRoute.GET, token());
        expect(me.json.role).toBe("NONE");
        expect(me.json.access.grants).toEqual([expect.objectContaining({ registryId: ids[own], registryName: `teams-${own}`, teamName: `teams-test-${own}`, repositoryGlob: "*" })]);
      });
    });
  }

  it("a registry admin (team grant) reads and exports the audit events of their registry only", async () => {
    const list = await api(auditRoute.GET, carol.token, { query: { limit: "500" } });
    expect(list.status, list.text).toBe(200);
    expect(list.json.events.length).toBeGreaterThan(0);
    expect(new Set(list.json.events.map((e: { registryId: string }) => e.registryId))).toEqual(new Set([ids.red]));
    const exported = await api(auditRoute.GET, carol.token, { query: { format: "json" } });
    expect(exported.status).toBe(200);
    const rows = JSON.parse(exported.text) as { registryId: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((e) => e.registryId === ids.red)).toBe(true);
    expect(leaks(exported.text, "red")).toEqual([]);
    expect((await api(activityRoute.GET, carol.token)).status).toBe(200);
    // asking for another registry's events by id finds none
    const blue = await api(auditRoute.GET, carol.token, { query: { registryId: ids.blue } });
    expect(blue.json.events).toEqual([]);
  });
});

describe("writes follow the grant", () => {
  it("a registry admin (team grant) manages protection rules and stages of their registry only", async () => {
    const rule = { repositoryGlob: "red/*", tagGlob: "1.*", minRole: "ADMIN", reason: "teams" };
    const mine = await api(rulesRoute.POST, carol.token, { method: "POST", body: { ...rule, registryId: ids.red } });
    expect(mine.status, mine.text).toBe(201);
    // another registry is as if missing; a rule for every registry needs the global role
    expect((await api(rulesRoute.POST, carol.token, { method: "POST", body: { ...rule, registryId: ids.blue } })).status).toBe(404);
    expect((await api(rulesRoute.POST, carol.token, { method: "POST", body: { ...rule, registryId: null } })).status).toBe(403);
    // an OPERATOR or VIEWER grant administers nothing: 403 before the input is read
    expect((await api(rulesRoute.POST, alice.token, { method: "POST", body: { ...rule, registryId: ids.red } })).status).toBe(403);
    expect((await api(rulesRoute.POST, bob.token, { method: "POST", body: {} })).status).toBe(403);
    const blues = await api(rulesRoute.POST, admin, { method: "POST", body: { ...rule, registryId: ids.blue } });
    expect((await api(ruleRoute.DELETE, carol.token, { method: "DELETE", params: { id: blues.json.id } })).status).toBe(404);
    expect(await db.protectionRule.count({ where: { id: blues.json.id } })).toBe(1);
    expect((await api(ruleRoute.DELETE, carol.token, { method: "DELETE", params: { id: mine.json.id } })).status).toBe(204);
    const stage = await api(stagesRoute.POST, carol.token, { method: "POST", body: { name: `red-stage-${Date.now()}`, position: 90, registryId: ids.red, repository: "red/app" } });
    expect(stage.status, stage.text).toBe(201);
    expect((await api(stagesRoute.POST, carol.token, { method: "POST", body: { name: `blue-stage-${Date.now()}`, position: 91, registryId: ids.blue, repository: "blue/app" } })).status).toBe(404);
    expect((await api(stageRoute.DELETE, carol.token, { method: "DELETE", params: { id: stage.json.id } })).status).toBe(204);
    await api(ruleRoute.DELETE, admin, { method: "DELETE", params: { id: blues.json.id } });
  });

  it("an OPERATOR grant promotes within its registry; skopeo sees the new tag", async () => {
    const res = await api(promotionsRoute.POST, alice.token, { method: "POST", body: { source: { registryId: ids.red, repository: "red/app", reference: "1.0" }, target: { registryId: ids.red, repository: "red/app", tag: "1.1" } } });
    expect(res.status, res.text).toBe(200);
    expect((await skopeoInspect(running.red!, "red/app:1.1")).Digest).toBe(digest);
  });

  it("promoting into or out of a registry one may not see is 404; changes nothing", async () => {
    const into = await api(promotionsRoute.POST, alice.token, { method: "POST", body: { source: { registryId: ids.red, repository: "red/app", reference: "1.0" }, target: { registryId: ids.blue, repository: "blue/app", tag: "stolen" } } });
    expect(into.status, into.text).toBe(404);
    const outOf = await api(promotionsRoute.POST, alice.token, { method: "POST", body: { source: { registryId: ids.green, repository: "green/app", reference: "1.0" }, target: { registryId: ids.red, repository: "red/app", tag: "copied" } } });
    expect(outOf.status, outOf.text).toBe(404);
    await expect(skopeoInspect(running.blue!, "blue/app:stolen")).rejects.toThrow();
  });

  it("a VIEWER grant may not promote, delete or sync (403, audited as denied)", async () => {
    const body = { source: { registryId: ids.blue, repository: "blue/app", reference: "1.0" }, target: { registryId: ids.blue, repository: "blue/app", tag: "x" } };
    expect((await api(promotionsRoute.POST, bob.token, { method: "POST", body })).status).toBe(403);
    expect((await api(tagsRoute.DELETE, bob.token, { method: "DELETE", params: { id: ids.blue }, query: { repository: "blue/app", tag: "1.0", confirmDigest: digest } })).status).toBe(403);
    expect((await api(syncRoute.POST, bob.token, { method: "POST", params: { id: ids.blue } })).status).toBe(403);
    // an OPERATOR grant elsewhere (green, narrowed by a glob) lets bob past the route's role check:
    // the service refuses on blue itself and audits the refusal
    const narrow = await api(grantsRoute.POST, admin, { method: "POST", params: { id: teams.blue }, body: { registryId: ids.green, repositoryGlob: "green/other-*", role: "OPERATOR" } });
    expect(narrow.status, narrow.text).toBe(201);
    expect((await api(promotionsRoute.POST, bob.token, { method: "POST", body })).status).toBe(403);
    expect((await api(tagsRoute.DELETE, bob.token, { method: "DELETE", params: { id: ids.blue }, query: { repository: "blue/app", tag: "1.0", confirmDigest: digest } })).status).toBe(403);
    expect((await api(syncRoute.POST, bob.token, { method: "POST", params: { id: ids.blue } })).status).toBe(403);
    // on green, only the glob's repositories are bob's: green/app stays hidden
    expect((await api(tagsRoute.GET, bob.token, { params: { id: ids.green }, query: { repository: "green/app" } })).status).toBe(404);
    expect((await api(repositoriesRoute.GET, bob.token, { params: { id: ids.green } })).json.repositories).toEqual([]);
    expect((await api(grantRoute.DELETE, admin, { method: "DELETE", params: { id: teams.blue, grantId: narrow.json.id } })).status).toBe(204);
    const denied = await db.auditEvent.findFirst({ where: { registryId: ids.blue, outcome: "denied", action: "retag" }, orderBy: { id: "desc" } });
    expect(denied?.details).toMatchObject({ reason: expect.stringContaining("OPERATOR") });
    expect((await skopeoInspect(running.blue!, "blue/app:1.0")).Digest).toBe(digest);
  });

  it("deleting in another team's registry is 404; in one's own it works", async () => {
    expect((await api(tagsRoute.DELETE, alice.token, { method: "DELETE", params: { id: ids.blue }, query: { repository: "blue/app", tag: "1.0", confirmDigest: digest } })).status).toBe(404);
    expect((await skopeoInspect(running.blue!, "blue/app:1.0")).Digest).toBe(digest);
    expect((await api(syncRoute.POST, alice.token, { method: "POST", params: { id: ids.red } })).status).toBe(202);
  });

  it("publishing needs a grant that allows it (global admins may)", async () => {
    const a = (await tokenActor(new Headers({ authorization: `Bearer ${alice.token}` })))!;
    expect(await mayPublish(a, ids.red, "red/app")).toBe(false);
    await db.grant.update({ where: { id: aliceGrant }, data: { mayPublish: true } });
    expect(await mayPublish((await tokenActor(new Headers({ authorization: `Bearer ${alice.token}` })))!, ids.red, "red/app")).toBe(true);
    expect(await mayPublish((await tokenActor(new Headers({ authorization: `Bearer ${alice.token}` })))!, ids.blue, "blue/app")).toBe(false);
    expect(await mayPublish((await tokenActor(new Headers({ authorization: `Bearer ${admin}` })))!, ids.blue, "blue/app")).toBe(true);
  });
});

describe("tokens and grants change at once", () => {
  it("a token limited to one registry sees only that one, even for an admin", async () => {
    const made = await api(tokensRoute.POST, admin, { method: "POST", body: { name: "ci-green", scope: "READ", registryIds: [ids.green] } });
    expect(made.status, made.text).toBe(201);
    expect(made.json.registryIds).toEqual([ids.green]);
    const list = await api(registriesRoute.GET, made.json.token);
    expect(list.json.registries.map((r: { id: string }) => r.id)).toEqual([ids.green]);
    expect((await api(registryRoute.GET, made.json.token, { params: { id: ids.red } })).status).toBe(404);
    const found = await api(searchRoute.GET, made.json.token, { query: { q: digest } });
    expect(leaks(found.text, "green")).toEqual([]);
  });

  it("a token never reaches further than its owner: a registry they cannot see is refused", async () => {
    const res = await api(tokensRoute.POST, bob.token, { method: "POST", body: { name: "ci-red", registryIds: [ids.red] } });
    expect(res.status).toBe(404);
  });

  it("removing a grant narrows the owner's existing token at the next use", async () => {
    expect((await api(registryRoute.GET, alice.token, { params: { id: ids.red } })).status).toBe(200);
    expect((await api(grantRoute.DELETE, admin, { method: "DELETE", params: { id: teams.red, grantId: aliceGrant } })).status).toBe(204);
    // no grant left, no global role: nothing to see at all
    expect((await api(registryRoute.GET, alice.token, { params: { id: ids.red } })).status).toBe(403);
    expect((await api(registriesRoute.GET, alice.token)).status).toBe(403);
  });

  it("existing users keep their global role: a VIEWER without teams still sees every registry", async () => {
    const viewer = (await userWithToken("VIEWER")).token;
    const list = await api(registriesRoute.GET, viewer);
    const names = list.json.registries.map((r: { name: string }) => r.name);
    for (const c of COLORS) expect(names).toContain(`teams-${c}`);
  });
});

describe("OIDC groups → teams", () => {
  it("joins the teams whose group the claim names, leaves them when it no longer does, keeps hand-added ones", async () => {
    const platform = await api(teamsRoute.POST, admin, { method: "POST", body: { name: "teams-test-platform", oidcGroup: "platform-engineers" } });
    expect(platform.status, platform.text).toBe(201);
    const dave = await makeUser("NONE", "dave");
    await api(membersRoute.POST, admin, { method: "POST", params: { id: teams.blue }, body: { userId: dave.id } });
    expect(await syncOidcTeams(dave.id, dave.email, ["platform-engineers", "unknown-group"])).toEqual({ joined: ["teams-test-platform"], left: [] });
    const member = (teamId: string) => db.teamMember.findUnique({ where: { teamId_userId: { teamId, userId: dave.id } } });
    expect(await member(platform.json.id)).toMatchObject({ fromOidc: true });
    expect(await syncOidcTeams(dave.id, dave.email, [])).toEqual({ joined: [], left: ["teams-test-platform"] });
    expect(await member(platform.json.id)).toBeNull();
    expect(await member(teams.blue)).not.toBeNull();
  });

  it("a team's OIDC group is unique; renaming and deleting are audited", async () => {
    const again = await api(teamsRoute.POST, admin, { method: "POST", body: { name: "teams-test-other", oidcGroup: "platform-engineers" } });
    expect(again.status).toBe(409);
    const renamed = await api(teamRoute.PATCH, admin, { method: "PATCH", params: { id: teams["red-admins"] }, body: { name: "teams-test-red-admins-2" } });
    expect(renamed.status, renamed.text).toBe(200);
    expect((await api(teamRoute.DELETE, admin, { method: "DELETE", params: { id: teams["red-admins"] } })).status).toBe(204);
    // carol's only grant went with the team
    expect((await api(auditRoute.GET, carol.token)).status).toBe(403);
    const events = await db.auditEvent.findMany({ where: { action: { startsWith: "team." } }, select: { action: true } });
    for (const a of ["team.create", "team.update", "team.delete", "team.member.add", "team.grant.add", "team.grant.remove", "team.member.sync"]) {
      expect(events.map((e) => e.action)).toContain(a);
    }
  });
});
