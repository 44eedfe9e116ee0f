// A loopback GitLab for the GitLab provider: the container registry REST API as GitLab documents
// it (docs.gitlab.com/api/container_registry), answered from a registry's real state, and the
// `/jwt/auth` token endpoint (handed to the harness token server, as GitLab's Rails hands out the
// registry JWT). Projects and groups by numeric id or URL-encoded path; offset pagination with
// X-Page / X-Per-Page / X-Total / X-Total-Pages / X-Next-Page / X-Prev-Page and Link;
// RateLimit-* headers; error bodies { message } ({ error, error_description, scope } for a missing
// scope); deploy tokens are refused by the REST API (401) but work on /jwt/auth.
import fs from "node:fs";
import http from "node:http";
import type { RunningRegistry } from "../registry";
import type { PackageState } from "./package-state";
import { numberedPage, serve } from "./stand-in";

export interface GitLabToken {
  kind: "personal" | "deploy";
  /** the user the token belongs to (deploy tokens: gitlab+deploy-token-N) */
  username: string;
  scopes: string[];
  /** YYYY-MM-DD */
  expiresAt?: string;
}

export interface GitLabApiOptions {
  state: PackageState;
  /** project paths, e.g. ["acme/web"]; a project's repositories are its path and paths below it */
  projects: string[];
  /** group paths, e.g. ["acme"] */
  groups?: string[];
  tokens: Record<string, GitLabToken>;
  /** the harness token server realm that /jwt/auth hands requests to */
  tokenRealm?: string;
  rateLimit?: number;
  /** project path → `visibility` as GET /projects/:id reports it (default "private") and, optionally, its container_registry_access_level (default "enabled") */
  visibility?: Record<string, { visibility: "public" | "internal" | "private"; containerRegistry?: "enabled" | "private" | "disabled" }>;
  /** false: a self-managed GitLab without keyset pagination for tags (answers 405 to pagination=keyset) */
  keysetTags?: boolean;
}

export interface GitLabApi {
  url: string;
  readonly log: { method: string; path: string; status: number }[];
  setRemaining(n: number): void;
  stop(): Promise<void>;
}

export async function startGitLabApi(opts: GitLabApiOptions): Promise<GitLabApi> {
  const limit = opts.rateLimit ?? 2000;
  let remaining = limit;
  const log: GitLabApi["log"] = [];
  const projects = opts.projects.map((path, i) => ({ id: 10 + i, path }));
  const groups = (opts.groups ?? []).map((path, i) => ({ id: 100 + i, path }));
  const repoIds = new Map<string, number>();
  const repoId = (path: string) => {
    if (!repoIds.has(path)) repoIds.set(path, 1000 + repoIds.size);
    return repoIds.get(path)!;
  };
  const projectOf = (repo: string) =>
    projects.filter((p) => repo === p.path || repo.startsWith(`${p.path}/`)).sort((a, b) => b.path.length - a.path.length)[0];
  const repositoriesOf = (pathPrefix: string, exact: boolean) =>
    opts.state.repositories().filter((r) => (exact ? projectOf(r)?.path === pathPrefix : r.startsWith(`${pathPrefix}/`) && projectOf(r)));
  const find = <T extends { id: number; path: string }>(list: T[], id: string) => list.find((x) => String(x.id) === id || x.path === id);
  let base = "";

  const repoJson = (path: string, withCount: boolean) => {
    const project = projectOf(path)!;
    const versions = opts.state.versions(path);
    const created = versions.map((v) => v.createdAt.getTime());
    return {
      id: repoId(path),
      name: path === project.path ? "" : path.slice(project.path.length + 1),
      path,
      project_id: project.id,
      location: `${opts.state.host}/${path}`,
      created_at: new Date(created.length ? Math.min(...created) : Date.now()).toISOString(),
      cleanup_policy_started_at: null,
      status: null,
      ...(withCount ? { tags_count: versions.reduce((n, v) => n + v.tags.length, 0) } : {}),
    };
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const headers: Record<string, string> = { "content-type": "application/json" };
    const send = (status: number, body: unknown) => {
      log.push({ method: req.method ?? "GET", path: `${url.pathname}${url.search}`, status });
      res.writeHead(status, headers);
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };

    if (url.pathname === "/jwt/auth") {
      if (!opts.tokenRealm) return send(404, { message: "404 Not Found" });
      // GitLab checks the token and hands out the registry JWT; the harness token server plays that part
      const upstream = await fetch(`${opts.tokenRealm}${url.search}`, { headers: req.headers.authorization ? { authorization: req.headers.authorization } : {} });
      const body = await upstream.text();
      log.push({ method: "GET", path: "/jwt/auth", status: upstream.status });
      res.writeHead(upstream.status, { "content-type": "application/json" });
      return res.end(body);
    }
    if (!url.pathname.startsWith("/api/v4/")) return send(404, { message: "404 Not Found" });

    const raw = (req.headers["private-token"] as string | undefined) ?? /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const token = raw ? opts.tokens[raw] : undefined;
    // deploy tokens work only against the registry, never the REST API
    if (!token || token.kind === "deploy") return send(401, { message: "401 Unauthorized" });
    if (remaining > 0) remaining--;
    Object.assign(headers, {
      "ratelimit-limit": String(limit), "ratelimit-remaining": String(remaining), "ratelimit-observed": String(limit - remaining),
      "ratelimit-reset": String(Math.floor(Date.now() / 1000) + 60), "ratelimit-name": "throttle_authenticated_api",
    });
    if (remaining === 0) {
      headers["retry-after"] = "60";
      return send(429, { message: "Retry later" });
    }

    const segments = url.pathname.slice("/api/v4/".length).split("/").map(decodeURIComponent);
    const needs = (...any: string[]) => any.some((s) => token.scopes.includes(s));
    const insufficient = (scope: string) =>
      send(403, { error: "insufficient_scope", error_description: "The request requires higher privileges than provided by the access token.", scope });

    if (segments.join("/") === "personal_access_tokens/self" && req.method === "GET") {
      return send(200, { id: 7, name: "regatta", revoked: false, created_at: "2026-01-01T00:00:00.000Z", scopes: token.scopes, user_id: 3, last_used_at: new Date().toISOString(), active: true, expires_at: token.expiresAt ?? null });
    }
    const read = req.method === "GET";
    if (read ? !needs("api", "read_api") : !needs("api")) return insufficient(read ? "api read_api" : "api");

    const page = <T>(items: T[]) => {
      const { n, perPage, last: total, link, slice } = numberedPage(base, url, items.length, 20);
      Object.assign(headers, {
        "x-page": String(n), "x-per-page": String(perPage), "x-total": String(items.length), "x-total-pages": String(total),
        "x-next-page": n < total ? String(n + 1) : "", "x-prev-page": n > 1 ? String(n - 1) : "",
        link: [...(n > 1 ? [link(n - 1, "prev")] : []), ...(n < total ? [link(n + 1, "next")] : []), link(1, "first"), link(total, "last")].join(", "),
      });
      return slice(items);
    };

    // keyset pages (gitlab.com since 16.10, doc/api/container_registry.md): sorted by name, the next
    // page only through Link rel="next" (its cursor is GitLab's business: followed, never built)
    const keysetPage = <T extends { name: string }>(items: T[]) => {
      const perPage = Math.min(Math.max(Number(url.searchParams.get("per_page") ?? 20) || 20, 1), 100);
      const last = url.searchParams.get("last");
      const from = last ? items.findIndex((t) => t.name > last) : 0;
      const slice = from < 0 ? [] : items.slice(from, from + perPage);
      if (from >= 0 && from + perPage < items.length) {
        const u = new URL(`${base}${url.pathname}`);
        for (const [k, v] of [["pagination", "keyset"], ["per_page", String(perPage)], ["last", slice.at(-1)!.name]]) u.searchParams.set(k, v);
        headers.link = `<${u}>; rel="next"`;
      }
      return slice;
    };

    const [kind, id, ...rest] = segments;
    if (kind === "groups") {
      const group = find(groups, id);
      if (!group) return send(404, { message: "404 Group Not Found" });
      if (rest.length === 0) return send(200, { id: group.id, name: group.path.split("/").at(-1), path: group.path.split("/").at(-1), full_path: group.path });
      if (rest.join("/") === "registry/repositories" && read) return send(200, page(repositoriesOf(group.path, false).map((r) => repoJson(r, false))));
      return send(404, { message: "404 Not Found" });
    }
    if (kind !== "projects") return send(404, { message: "404 Not Found" });
    const project = find(projects, id);
    if (!project) return send(404, { message: "404 Project Not Found" });
    if (rest.length === 0) {
      // docs.gitlab.com/api/projects (Get a single project): visibility, container_registry_access_level
      const v = opts.visibility?.[project.path];
      return send(200, { id: project.id, name: project.path.split("/").at(-1), path_with_namespace: project.path, visibility: v?.visibility ?? "private", container_registry_enabled: v?.containerRegistry !== "disabled", container_registry_access_level: v?.containerRegistry ?? "enabled" });
    }
    if (rest[0] !== "registry" || rest[1] !== "repositories") return send(404, { message: "404 Not Found" });
    const repos = repositoriesOf(project.path, true);
    if (rest.length === 2 && read) return send(200, page(repos.map((r) => repoJson(r, url.searchParams.get("tags_count") === "true"))));
    const repo = repos.find((r) => String(repoId(r)) === rest[2]);
    if (!repo) return send(404, { message: "404 Repository Not Found" });
    if (rest[3] !== "tags") return send(404, { message: "404 Not Found" });
    const tags = opts.state.versions(repo).flatMap((v) => v.tags.map((t) => ({ tag: t, v }))).sort((a, b) => a.tag.localeCompare(b.tag));
    // created_at is the image config's `created` (doc/api/container_registry.md: "The creation date
    // is the time of the manifest creation, not the time of tag push"); null when there is none
    const tagJson = (t: (typeof tags)[number], details: boolean) => ({
      name: t.tag, path: `${repo}:${t.tag}`, location: `${opts.state.host}/${repo}:${t.tag}`,
      ...(details ? { revision: t.v.digest.slice(7), short_revision: t.v.digest.slice(7, 16), digest: t.v.digest, created_at: t.v.builtAt?.toISOString() ?? null, total_size: t.v.size } : {}),
    });
    if (rest.length === 4 && read && url.searchParams.get("pagination") === "keyset") {
      if (opts.keysetTags === false) return send(405, { message: "405 Method Not Allowed" });
      return send(200, keysetPage(tags.map((t) => tagJson(t, false))));
    }
    if (rest.length === 4 && read) return send(200, page(tags.map((t) => tagJson(t, false))));
    if (rest.length !== 5) return send(404, { message: "404 Not Found" });
    const tag = tags.find((t) => t.tag === rest[4]);
    if (!tag) return send(404, { message: "404 Tag Not Found" });
    if (read) return send(200, tagJson(tag, true));
    if (req.method === "DELETE") {
      await opts.state.untag(repo, tag.tag);
      return send(200, undefined);
    }
    return send(405, { message: "405 Method Not Allowed" });
  });
  const { url, stop } = await serve(server);
  base = url;
  return { url, log, setRemaining(n) { remaining = n; }, stop };
}

/**
 * Points a harness token-mode registry's challenge at GitLab's `/jwt/auth` (as registry.gitlab.com
 * points at gitlab.com/jwt/auth) and restarts it; the stand-in hands the request to the token server.
 */
export async function useGitLabRealm(reg: RunningRegistry, gitlab: GitLabApi): Promise<void> {
  if (!reg.tokenServer) throw new Error(`registry ${reg.name} is not in token mode`);
  const config = fs.readFileSync(reg.configPath, "utf8");
  fs.writeFileSync(reg.configPath, config.replace(JSON.stringify(reg.tokenServer.url), JSON.stringify(`${gitlab.url}/jwt/auth`)));
  await reg.restart();
}
