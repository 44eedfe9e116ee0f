// A loopback api.github.com for the GHCR provider: the packages API as GitHub documents it
// (docs.github.com/rest/packages), answered from a registry's real state. Container packages of
// one user or organisation, their versions (one per manifest digest, tags in
// metadata.container.tags), delete of a version; Link-header pagination (page, per_page ≤ 100);
// X-OAuth-Scopes on every answer to a classic PAT; x-ratelimit-* headers; error bodies
// { message, documentation_url }.
import http from "node:http";
import type { PackageState } from "./package-state";
import { numberedPage, serve } from "./stand-in";

export interface GitHubToken {
  login: string;
  /** classic PAT scopes; null for a fine-grained token (no X-OAuth-Scopes header) */
  scopes: string[] | null;
  /** "2026-12-31 00:00:00 UTC" style, sent as github-authentication-token-expiration */
  expiresAt?: string;
}

export interface GitHubApiOptions {
  state: PackageState;
  /** the user or organisation owning the packages (lower case, as in ghcr.io/<owner>/…) */
  owner: string;
  ownerType: "User" | "Organization";
  /** token → who and which scopes */
  tokens: Record<string, GitHubToken>;
  rateLimit?: number;
  /** packages (names under the owner) whose visibility is public; the others are private */
  publicPackages?: string[];
}

export interface GitHubApi {
  url: string;
  /** every request: method, path with query, status */
  readonly log: { method: string; path: string; status: number; headers: http.IncomingHttpHeaders }[];
  setRemaining(n: number): void;
  stop(): Promise<void>;
}

const DOCS = "https://docs.github.com/rest/packages/packages";

export async function startGitHubApi(opts: GitHubApiOptions): Promise<GitHubApi> {
  const limit = opts.rateLimit ?? 5000;
  let remaining = limit;
  const resetAt = Math.floor(Date.now() / 1000) + 3600;
  const log: GitHubApi["log"] = [];
  const ids = new Map<string, number>(); // digest@package → version id, stable while the server runs
  const versionId = (pkg: string, digest: string) => {
    const key = `${pkg}@${digest}`;
    if (!ids.has(key)) ids.set(key, 1000 + ids.size);
    return ids.get(key)!;
  };
  let base = "";
  const packages = () => opts.state.repositories().filter((r) => r.startsWith(`${opts.owner}/`)).map((r) => r.slice(opts.owner.length + 1));
  const packageJson = (name: string) => {
    const versions = opts.state.versions(`${opts.owner}/${name}`);
    const times = versions.map((v) => v.createdAt.getTime());
    return {
      id: 500 + packages().indexOf(name),
      name,
      package_type: "container",
      owner: { login: opts.owner, type: opts.ownerType },
      version_count: versions.length,
      visibility: opts.publicPackages?.includes(name) ? "public" : "private",
      url: `${base}/${ownerPath()}/packages/container/${encodeURIComponent(name)}`,
      created_at: new Date(times.length ? Math.min(...times) : 0).toISOString(),
      updated_at: new Date(times.length ? Math.max(...times) : 0).toISOString(),
      html_url: `https://github.com/${opts.owner}/packages/container/package/${encodeURIComponent(name)}`,
    };
  };
  const ownerPath = () => (opts.ownerType === "Organization" ? `orgs/${opts.owner}` : `users/${opts.owner}`);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8", "x-github-api-version-selected": "2022-11-28" };
    const send = (status: number, body: unknown) => {
      log.push({ method: req.method ?? "GET", path: `${url.pathname}${url.search}`, status, headers: req.headers });
      res.writeHead(status, headers);
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const fail = (status: number, message: string, doc = DOCS) => send(status, { message, documentation_url: doc });

    const m = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!m) return fail(401, "Requires authentication", "https://docs.github.com/rest");
    const token = opts.tokens[m[1]];
    if (!token) return fail(401, "Bad credentials", "https://docs.github.com/rest");
    if (token.scopes) headers["x-oauth-scopes"] = token.scopes.join(", ");
    if (token.expiresAt) headers["github-authentication-token-expiration"] = token.expiresAt;
    const counted = url.pathname !== "/rate_limit";
    if (counted && remaining > 0) remaining--;
    Object.assign(headers, {
      "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-used": String(limit - remaining), "x-ratelimit-reset": String(resetAt), "x-ratelimit-resource": "core",
    });
    if (counted && remaining === 0) return fail(403, `API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.`, "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api");

    const has = (...need: string[]) => !token.scopes || need.every((s) => token.scopes!.includes(s) || (s === "read:packages" && token.scopes!.includes("write:packages")));
    const segments = url.pathname.split("/").slice(1).map(decodeURIComponent);

    if (req.method === "GET" && url.pathname === "/user") return send(200, { login: token.login, id: 1, type: "User" });
    if (req.method === "GET" && url.pathname === "/rate_limit") {
      const core = { limit, remaining, reset: resetAt, used: limit - remaining, resource: "core" };
      return send(200, { resources: { core }, rate: core });
    }
    if (req.method === "GET" && segments[0] === "users" && segments.length === 2) {
      if (segments[1] === opts.owner) return send(200, { login: opts.owner, id: 2, type: opts.ownerType });
      if (segments[1] === token.login) return send(200, { login: token.login, id: 1, type: "User" });
      return fail(404, "Not Found", "https://docs.github.com/rest/users/users#get-a-user");
    }

    // /{orgs|users}/{owner}/packages… or /user/packages… (the token's own user)
    let rest: string[];
    // /users/{username}/packages/{type}/{name}/versions[/{id}]: "Lists package versions for a public
    // package owned by a specified user", with no page, per_page or state parameter
    // (github/rest-api-description api.github.com.json, packages/get-all-package-versions-for-package-owned-by-user)
    let publicOnly = false;
    if ((segments[0] === "orgs" || segments[0] === "users") && segments[2] === "packages") {
      publicOnly = segments[0] === "users";
      const kind = segments[0] === "orgs" ? "Organization" : "User";
      if (segments[1] !== opts.owner || kind !== opts.ownerType) return fail(404, "Not Found");
      rest = segments.slice(3);
    } else if (segments[0] === "user" && segments[1] === "packages") {
      if (token.login !== opts.owner) return send(200, []);
      rest = segments.slice(2);
    } else {
      return fail(404, "Not Found", "https://docs.github.com/rest");
    }
    if (!has("read:packages")) {
      headers["x-accepted-oauth-scopes"] = "read:packages";
      return fail(403, "You need at least read:packages scope to list packages.");
    }

    const page = <T>(items: T[]) => {
      const { n, last, link, slice } = numberedPage(base, url, items.length, 30);
      const links = [];
      if (n > 1) links.push(link(n - 1, "prev"));
      if (n < last) links.push(link(n + 1, "next"), link(last, "last"));
      if (n > 1) links.push(link(1, "first"));
      if (links.length) headers.link = links.join(", ");
      return slice(items);
    };

    if (rest.length === 0) {
      if (req.method !== "GET") return fail(404, "Not Found");
      const type = url.searchParams.get("package_type");
      if (!type) return fail(400, "Invalid argument: package_type is required.");
      if (type !== "container") return send(200, []);
      return send(200, page(packages().map(packageJson)));
    }
    if (rest[0] !== "container" || rest.length < 2) return fail(404, "Not Found");
    const name = rest[1];
    if (!packages().includes(name)) return fail(404, "Package not found.");
    const repository = `${opts.owner}/${name}`;
    if (rest.length === 2 && req.method === "GET") return send(200, packageJson(name));
    if (rest[2] !== "versions") return fail(404, "Not Found");
    if (publicOnly && req.method === "GET" && !opts.publicPackages?.includes(name)) return fail(404, "Package not found.");
    const versions = opts.state.versions(repository).map((v) => ({
      id: versionId(name, v.digest),
      name: v.digest,
      url: `${base}/${ownerPath()}/packages/container/${encodeURIComponent(name)}/versions/${versionId(name, v.digest)}`,
      package_html_url: `https://github.com/${opts.owner}/packages/container/package/${encodeURIComponent(name)}`,
      created_at: v.createdAt.toISOString(),
      updated_at: v.updatedAt.toISOString(),
      html_url: `https://github.com/${opts.owner}/packages/container/${encodeURIComponent(name)}/${versionId(name, v.digest)}`,
      metadata: { package_type: "container", container: { tags: v.tags } },
    }));
    if (rest.length === 3 && req.method === "GET") {
      if (publicOnly) return send(200, versions); // one answer: this form documents no paging
      const state = url.searchParams.get("state") ?? "active";
      return send(200, state === "active" ? page(versions) : []);
    }
    const version = versions.find((v) => String(v.id) === rest[3]);
    if (rest.length !== 4) return fail(404, "Not Found");
    if (!version) return fail(404, "Package version not found.");
    if (req.method === "GET") return send(200, version);
    if (req.method === "DELETE") {
      if (!has("read:packages", "delete:packages")) {
        headers["x-accepted-oauth-scopes"] = "delete:packages, read:packages";
        return fail(403, "You need at least delete:packages and read:packages scopes to delete a package version.", "https://docs.github.com/rest/packages/packages#delete-package-version-for-an-organization");
      }
      opts.state.deleteDigest(repository, version.name).then(() => send(204, undefined), (e) => fail(500, String(e)));
      return;
    }
    return fail(404, "Not Found");
  });
  const { url, stop } = await serve(server);
  base = url;
  return { url, log, setRemaining(n) { remaining = n; }, stop };
}
