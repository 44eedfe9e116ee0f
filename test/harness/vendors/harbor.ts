// A loopback Harbor 2.x: the REST API (/api/v2.0) answered from a real token-mode registry:2's
// storage, and Harbor's token service (/service/token) forwarded to the registry's token server.
// Paths, page/page_size (at most 100) with X-Total-Count and Link, the double-encoded repository
// name (`a%252Fb`), the {"errors":[{code,message}]} body and robot permissions follow Harbor's
// swagger (listRepositories, listArtifacts, deleteTag).
import type { RunningRegistry } from "../registry";
import { startRegistry } from "../registry";
import { basicAuth, forwardToken, listen, sendJson, useRealm } from "./stand-in";
import { imageSize, removeStoredTag, storedManifest, storedRepositories, storedTags } from "./storage";

export interface HarborUser { password: string; /** may delete tags (robot: Tag → Delete) */ delete?: boolean; /** may push (robot: Repository → Push); default true */ push?: boolean; /** projects it may see; all when absent */ projects?: string[] }

export interface HarborStandInOptions {
  registry: RunningRegistry;
  users: Record<string, HarborUser>;
  projects: string[];
  /** projects whose metadata.public is "true" (goharbor/harbor api/v2.0/swagger.yaml ProjectMetadata.public: "true"/"false" strings) */
  publicProjects?: string[];
}

export interface HarborStandIn {
  /** the host, like https://harbor.example.com */
  url: string;
  /** the REST API base = the apiEndpoint of a HARBOR connection */
  api: string;
  realm: string;
  log: { method: string; url: string; authorization?: string }[];
  stop(): Promise<void>;
}

const ZERO_TIME = "0001-01-01T00:00:00.000Z";

export async function startHarborStandIn(opts: HarborStandInOptions): Promise<HarborStandIn> {
  const { registry } = opts;
  const ids = new Map<string, number>();
  const id = (key: string) => { if (!ids.has(key)) ids.set(key, ids.size + 1); return ids.get(key)!; };

  const server = await listen(async (req, res, url) => {
    const fail = (status: number, code: string, message: string) => sendJson(res, status, { errors: [{ code, message }] });
    if (url.pathname === "/service/token") {
      // Harbor's token service grants only what the robot's permissions allow
      const name = basicAuth(req)?.[0];
      const canPush = name === undefined || opts.users[name]?.push !== false;
      const q = new URLSearchParams();
      for (const [k, v] of url.searchParams) {
        if (k === "scope" && v.startsWith("registry:catalog:")) continue; // _catalog: system admins with Basic only, never a token
        if (k !== "scope" || !v.startsWith("repository:") || canPush) { q.append(k, v); continue; }
        const i = v.lastIndexOf(":");
        q.append(k, `${v.slice(0, i)}:${v.slice(i + 1).split(",").filter((a) => a === "pull").join(",")}`);
      }
      return forwardToken(registry, req, res, q);
    }
    if (!url.pathname.startsWith("/api/v2.0/")) return fail(404, "NOT_FOUND", "not found");
    const creds = basicAuth(req);
    const user = creds ? opts.users[creds[0]] : undefined;
    if (!creds || !user || user.password !== creds[1]) return fail(401, "UNAUTHORIZED", "unauthorized");

    // the raw path: the repository segment arrives URL-encoded twice
    const seg = url.pathname.split("/").slice(3); // after /api/v2.0
    if (seg[0] !== "projects" || !seg[1]) return fail(404, "NOT_FOUND", "not found");
    const project = decodeURIComponent(seg[1]);
    if (!opts.projects.includes(project)) return fail(404, "NOT_FOUND", `project ${project} not found`);
    if (user.projects && !user.projects.includes(project)) return fail(403, "FORBIDDEN", "forbidden");
    const projectId = id(`project:${project}`);
    if (seg.length === 2 && req.method === "GET") return sendJson(res, 200, { project_id: projectId, name: project, repo_count: 0, metadata: { public: opts.publicProjects?.includes(project) ? "true" : "false" } });
    if (seg[2] !== "repositories") return fail(404, "NOT_FOUND", "not found");

    const page = Number(url.searchParams.get("page") ?? 1);
    const pageSize = Number(url.searchParams.get("page_size") ?? 10);
    if (!(page >= 1) || !(pageSize >= 1)) return fail(400, "BAD_REQUEST", "page and page_size must be positive integers");
    // swagger.yaml: page_size "maximum: 100", enforced by go-swagger's validation (status and wording
    // here are go-swagger's usual ones, not verified against a live Harbor)
    if (pageSize > 100) return fail(422, "UNPROCESSABLE_ENTITY", "validation failure list:\npage_size in query should be less than or equal to 100");
    const paged = <T>(all: T[]) => {
      const headers: Record<string, string> = { "x-total-count": String(all.length) };
      const link = (p: number) => { const u = new URL(url.pathname + url.search, "http://x"); u.searchParams.set("page", String(p)); u.searchParams.set("page_size", String(pageSize)); return `<${u.pathname}${u.search}>`; };
      const links = [];
      if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
      if (page * pageSize < all.length) links.push(`${link(page + 1)}; rel="next"`);
      if (links.length) headers.link = links.join(" , ");
      return { body: all.slice((page - 1) * pageSize, page * pageSize), headers };
    };

    const repos = storedRepositories(registry.dataDir).filter((r) => r.startsWith(`${project}/`) && storedTags(registry.dataDir, r).length > 0);
    if (seg.length === 3 && req.method === "GET") {
      const q = url.searchParams.get("q");
      let fuzzy: string | undefined;
      if (q) {
        const keywords = harborKeywords(q);
        if (typeof keywords === "string") return fail(400, "BAD_REQUEST", keywords);
        fuzzy = keywords.name?.replace(/^~/, "");
      }
      const list = repos.filter((r) => !fuzzy || r.includes(fuzzy)).map((r) => {
        const tags = storedTags(registry.dataDir, r);
        const times = tags.map((t) => t.updatedAt.getTime());
        return {
          id: id(`repo:${r}`), project_id: projectId, name: r, artifact_count: new Set(tags.map((t) => t.digest)).size, pull_count: 0,
          creation_time: new Date(Math.min(...times)).toISOString(), update_time: new Date(Math.max(...times)).toISOString(),
        };
      });
      const { body, headers } = paged(list);
      return sendJson(res, 200, body, headers);
    }
    // Harbor's router decodes a single-encoded slash into a path separator: no route matches
    if (/%2F/i.test(seg[3] ?? "") && !/%252F/i.test(seg[3] ?? "")) return fail(404, "NOT_FOUND", "not found");
    const repository = `${project}/${decodeURIComponent(decodeURIComponent(seg[3] ?? ""))}`;
    if (seg[4] !== "artifacts") return fail(404, "NOT_FOUND", "not found");
    if (!repos.includes(repository)) return fail(404, "NOT_FOUND", `repository ${repository} not found`);

    const artifacts = () => {
      const byDigest = new Map<string, { name: string; at: Date }[]>();
      for (const t of storedTags(registry.dataDir, repository)) byDigest.set(t.digest, [...(byDigest.get(t.digest) ?? []), { name: t.tag, at: t.updatedAt }]);
      return [...byDigest].map(([digest, tags]) => {
        const m = storedManifest(registry.dataDir, repository, digest);
        const pushed = (m?.uploadedAt ?? tags[0].at).toISOString();
        return {
          id: id(`artifact:${repository}@${digest}`), type: m?.json?.manifests ? "IMAGE" : "IMAGE", media_type: m?.json?.config?.mediaType ?? m?.mediaType,
          manifest_media_type: m?.mediaType, project_id: projectId, repository_id: id(`repo:${repository}`), digest,
          size: m ? imageSize(registry.dataDir, repository, m) : 0, push_time: pushed, pull_time: ZERO_TIME, extra_attrs: {}, annotations: null, references: null,
          tags: tags.map((t) => ({ id: id(`tag:${repository}:${t.name}`), repository_id: id(`repo:${repository}`), artifact_id: id(`artifact:${repository}@${digest}`), name: t.name, push_time: t.at.toISOString(), pull_time: ZERO_TIME, immutable: false })),
        };
      }).sort((a, b) => b.push_time.localeCompare(a.push_time));
    };
    if (seg.length === 5 && req.method === "GET") {
      const withTag = url.searchParams.get("with_tag") !== "false";
      const { body, headers } = paged(artifacts().map((a) => ({ ...a, tags: withTag ? a.tags : null })));
      return sendJson(res, 200, body, headers);
    }
    if (seg.length === 8 && seg[6] === "tags" && req.method === "DELETE") {
      if (!user.delete) return fail(403, "FORBIDDEN", "forbidden");
      const reference = decodeURIComponent(seg[5]);
      const tag = decodeURIComponent(seg[7]);
      const artifact = artifacts().find((a) => a.digest === reference || a.tags.some((t) => t.name === reference));
      if (!artifact) return fail(404, "NOT_FOUND", `artifact ${repository}@${reference} not found`);
      if (!artifact.tags.some((t) => t.name === tag)) return fail(404, "NOT_FOUND", `tag ${tag} not found`);
      removeStoredTag(registry.dataDir, repository, tag);
      return sendJson(res, 200, undefined);
    }
    return fail(405, "METHOD_NOT_ALLOWED", "method not allowed");
  });
  return { url: server.url, api: `${server.url}/api/v2.0`, realm: `${server.url}/service/token`, log: server.log, stop: server.stop };
}

/**
 * Harbor's q parser (goharbor/harbor src/lib/q/builder.go parseKeywords): URL-decoded once more
 * (left as is when that fails), split at ",", every part k=v with both sides non-empty, else 400.
 */
export function harborKeywords(q: string): Record<string, string> | string {
  let s = q;
  try { s = decodeURIComponent(q.replace(/\+/g, " ")); } catch { /* Harbor logs and keeps it */ }
  const out: Record<string, string> = {};
  for (const part of s.split(",")) {
    const i = part.indexOf("=");
    if (i <= 0 || i === part.length - 1) return `the query string must contain "=" and the key/value cannot be empty`;
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

export interface HarborSetup { registry: RunningRegistry; harbor: HarborStandIn; robot: { username: string; password: string }; stop(): Promise<void> }

/** A token-mode registry:2 whose realm is the stand-in's /service/token, robot accounts for /v2 and the REST stand-in. */
export async function startHarbor(opts: { name?: string; project?: string; users?: Record<string, HarborUser>; public?: boolean } = {}): Promise<HarborSetup> {
  const project = opts.project ?? "library";
  const users = opts.users ?? { [`robot$${project}+ci`]: { password: "harbor-robot-secret-01", delete: true } };
  const registry = await startRegistry({ mode: "token", name: opts.name ?? "harbor", users: Object.fromEntries(Object.entries(users).map(([u, v]) => [u, v.password])), anonymousPull: false });
  const harbor = await startHarborStandIn({ registry, users, projects: [project], publicProjects: opts.public ? [project] : [] });
  await useRealm(registry, harbor.realm);
  const [username, user] = Object.entries(users)[0];
  return { registry, harbor, robot: { username, password: user.password }, stop: async () => { await harbor.stop(); await registry.stop(); } };
}
