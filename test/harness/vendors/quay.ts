// A loopback Quay: the REST API (/api/v1) answered from a real token-mode registry:2's storage,
// and Quay's registry token path (/v2/auth) forwarded to the registry's token server. Paths,
// pagination (`next_page` for repositories, `page` + `has_additional` for tags, at most 100 per
// page), error bodies and the OAuth-token rule follow Quay's endpoints/api (repository.py, tag.py).
import type { RunningRegistry } from "../registry";
import { startRegistry } from "../registry";
import { basicAuth, forwardToken, listen, sendJson, useRealm } from "./stand-in";
import { removeStoredTag, storedManifest, imageSize, storedRepositories, storedTags } from "./storage";

export interface QuayToken { read?: boolean; write?: boolean }

export interface QuayStandInOptions {
  registry: RunningRegistry;
  /** OAuth application tokens the REST API accepts (Bearer), with what they may do */
  tokens: Record<string, QuayToken>;
  /** robot accounts without Write (their /v2 tokens are downscoped to pull) */
  robots?: Record<string, { write?: boolean }>;
  /** repositories whose is_public is true; the others (and those a push creates) are private */
  publicRepositories?: string[];
  /** repositories per page (Quay: 100) */
  reposPerPage?: number;
}

export interface QuayStandIn {
  /** the REST API base = the apiEndpoint of a QUAY connection */
  url: string;
  /** Quay's registry token endpoint on the stand-in */
  realm: string;
  log: { method: string; url: string; authorization?: string }[];
  stop(): Promise<void>;
}

interface DeletedTag { name: string; manifest_digest: string; start_ts: number; end_ts: number }

export async function startQuayStandIn(opts: QuayStandInOptions): Promise<QuayStandIn> {
  const { registry } = opts;
  const perPage = opts.reposPerPage ?? 100;
  const history = new Map<string, DeletedTag[]>();
  let base = "";
  const error = (status: number, type: string, message: string) => ({
    detail: message, error_message: message, error_type: type, title: type, type: `${base}/api/v1/error/${type}`, status,
  });

  const server = await listen(async (req, res, url) => {
    const fail = (status: number, type: string, message: string) => sendJson(res, status, error(status, type, message));
    // Quay's registry token endpoint: actions are pull, push or *; `delete` is refused, and push authorizes DELETE
    if (url.pathname === "/v2/auth") {
      const scopes = url.searchParams.getAll("scope");
      if (scopes.some((s) => s.split(":").at(-1)!.split(",").includes("delete"))) {
        return sendJson(res, 400, { errors: [{ code: "INVALID_REQUEST", message: "Unable to parse scope", detail: {} }] });
      }
      // a robot without Write gets a token downscoped to pull, as Quay does
      const robot = basicAuth(req)?.[0];
      const canWrite = robot === undefined || opts.robots?.[robot]?.write !== false;
      const q = new URLSearchParams();
      for (const [k, v] of url.searchParams) {
        if (k !== "scope" || !v.startsWith("repository:")) { q.append(k, v); continue; }
        const i = v.lastIndexOf(":");
        let actions = v.slice(i + 1).split(",").filter((a) => canWrite || a === "pull");
        if (actions.some((a) => a === "push" || a === "*")) actions = [...actions, "delete"];
        q.append(k, `${v.slice(0, i)}:${actions.join(",")}`);
      }
      return forwardToken(registry, req, res, q);
    }
    if (!url.pathname.startsWith("/api/v1/")) return fail(404, "not_found", "Not Found");
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const token = bearer ? opts.tokens[bearer] : undefined;
    if (!token) return fail(401, "invalid_token", "The access token provided is invalid or expired");

    const repos = () => storedRepositories(registry.dataDir).filter((r) => storedTags(registry.dataDir, r).length > 0);
    if (url.pathname === "/api/v1/repository" && req.method === "GET") {
      if (!token.read) return fail(403, "insufficient_scope", "Unauthorized");
      const namespace = url.searchParams.get("namespace");
      if (!namespace) return fail(400, "invalid_request", "namespace, starred or public are required for this API call");
      const cursor = url.searchParams.get("next_page");
      let offset = 0;
      if (cursor) {
        try { offset = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")).o; } catch { return fail(400, "invalid_request", "Invalid page token"); }
      }
      const all = repos().filter((r) => r.startsWith(`${namespace}/`));
      const page = all.slice(offset, offset + perPage);
      const body: Record<string, unknown> = {
        repositories: page.map((r) => ({ namespace, name: r.slice(namespace.length + 1), description: null, is_public: !!opts.publicRepositories?.includes(r), kind: "image", state: "NORMAL", is_starred: false })),
      };
      if (offset + perPage < all.length) body.next_page = Buffer.from(JSON.stringify({ o: offset + perPage, r: Math.random() })).toString("base64url");
      return sendJson(res, 200, body);
    }

    // Repository.get (quay/quay endpoints/api/repository.py): one repository with is_public
    const one = /^\/api\/v1\/repository\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (one && req.method === "GET") {
      if (!token.read) return fail(403, "insufficient_scope", "Unauthorized");
      const name = `${decodeURIComponent(one[1])}/${decodeURIComponent(one[2])}`;
      if (!repos().includes(name)) return fail(404, "not_found", "Not Found");
      return sendJson(res, 200, { namespace: decodeURIComponent(one[1]), name: decodeURIComponent(one[2]), kind: "image", description: null, is_public: !!opts.publicRepositories?.includes(name), is_organization: true, is_starred: false, status_token: "", can_write: !!token.write, can_admin: false, tag_expiration_s: 1209600, state: "NORMAL" });
    }
    const m = /^\/api\/v1\/repository\/(.+)\/tag\/([^/]*)$/.exec(url.pathname);
    if (!m) return fail(404, "not_found", "Not Found");
    const repository = m[1].split("/").map(decodeURIComponent).join("/");
    const tagName = decodeURIComponent(m[2]);
    if (!repos().includes(repository) && !history.has(repository)) return fail(404, "not_found", "Not Found");

    if (req.method === "GET" && tagName === "") {
      if (!token.read) return fail(403, "insufficient_scope", "Unauthorized");
      // quay/quay endpoints/api/tag.py listRepoTags: limit = min(100, max(1, limit)), page = max(1, page):
      // out-of-range values are clamped, not refused (a non-integer is refused by the int parser)
      const rawLimit = Number(url.searchParams.get("limit") ?? 50);
      const rawPage = Number(url.searchParams.get("page") ?? 1);
      if (!Number.isInteger(rawLimit) || !Number.isInteger(rawPage)) return fail(400, "invalid_request", "Invalid value for limit or page");
      const limit = Math.min(100, Math.max(1, rawLimit));
      const page = Math.max(1, rawPage);
      const active = storedTags(registry.dataDir, repository).map((t) => {
        const manifest = storedManifest(registry.dataDir, repository, t.digest);
        const start = Math.floor(t.updatedAt.getTime() / 1000);
        return {
          name: t.tag, reversion: false, start_ts: start, manifest_digest: t.digest,
          is_manifest_list: !!manifest?.json?.manifests, size: manifest ? imageSize(registry.dataDir, repository, manifest) : null,
          last_modified: new Date(start * 1000).toUTCString().replace("GMT", "-0000"),
        };
      });
      const onlyActive = url.searchParams.get("onlyActiveTags") === "true";
      const dead = onlyActive ? [] : (history.get(repository) ?? []).map((d) => ({ ...d, reversion: false, last_modified: new Date(d.start_ts * 1000).toUTCString().replace("GMT", "-0000"), end_ts: d.end_ts, expiration: new Date(d.end_ts * 1000).toUTCString() }));
      const specific = url.searchParams.get("specificTag");
      const all = [...active, ...dead].filter((t) => !specific || t.name === specific).sort((a, b) => b.start_ts - a.start_ts || a.name.localeCompare(b.name));
      const slice = all.slice((page - 1) * limit, page * limit);
      return sendJson(res, 200, { tags: slice, page, has_additional: page * limit < all.length });
    }
    if (req.method === "DELETE" && tagName !== "") {
      if (!token.write) return fail(403, "insufficient_scope", "Unauthorized");
      const current = storedTags(registry.dataDir, repository).find((t) => t.tag === tagName);
      if (!current || !removeStoredTag(registry.dataDir, repository, tagName)) return fail(404, "not_found", "Not Found");
      const list = history.get(repository) ?? [];
      list.push({ name: tagName, manifest_digest: current.digest, start_ts: Math.floor(current.updatedAt.getTime() / 1000), end_ts: Math.floor(Date.now() / 1000) });
      history.set(repository, list);
      return sendJson(res, 204, undefined);
    }
    return fail(405, "method_not_allowed", "The method is not allowed for the requested URL.");
  });
  base = server.url;
  return { url: server.url, realm: `${server.url}/v2/auth`, log: server.log, stop: server.stop };
}

/** `robot` is the first robot account (the registry's first user, so skopeo helpers use it) */
export interface QuaySetup { registry: RunningRegistry; quay: QuayStandIn; robot: { username: string; password: string }; stop(): Promise<void> }

/** A token-mode registry:2 whose realm is the stand-in's /v2/auth, a robot account for /v2 and the REST stand-in. */
export async function startQuay(opts: { name?: string; robots?: Record<string, { password: string; write?: boolean }>; tokens: Record<string, QuayToken>; publicRepositories?: string[] }): Promise<QuaySetup> {
  const robots = opts.robots ?? { "acme+ci": { password: "robot-token-0123456789", write: true } };
  const [username, first] = Object.entries(robots)[0];
  const robot = { username, password: first.password };
  const registry = await startRegistry({ mode: "token", name: opts.name ?? "quay", users: Object.fromEntries(Object.entries(robots).map(([u, r]) => [u, r.password])), anonymousPull: false });
  const quay = await startQuayStandIn({ registry, tokens: opts.tokens, robots, publicRepositories: opts.publicRepositories });
  await useRealm(registry, quay.realm);
  return { registry, quay, robot, stop: async () => { await quay.stop(); await registry.stop(); } };
}
