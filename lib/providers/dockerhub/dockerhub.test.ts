// The Hub API client and the pull-budget parsing against a loopback server that answers as the
// Hub API documents (POST /v2/auth/token, Django-style pages with `next`, {detail} errors,
// 429 with X-Retry-After as a unix time).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RegistryError } from "@/lib/registry";
import { budgetFromHeaders as budgetOf, DOCKER_HUB_RATE_LIMIT, parseRateLimitHeader } from "../rate-limit";
import { HubApi, hubRepository, hubRetryAfter, splitRepository } from "./hub-api";
import { BudgetTap } from "./registry";

const budgetFromHeaders = (h: Headers) => budgetOf(h, DOCKER_HUB_RATE_LIMIT);

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const jwt = (expSeconds: number) => `${b64({ alg: "HS256" })}.${b64({ sub: "alice", exp: expSeconds })}.sig`;

let server: http.Server;
let base = "";
let logins = 0;
let tokenLifetime = 600;
let issued: string[] = [];
let mode: "ok" | "429" | "429-seconds" | "foreign-next" = "ok";
const seen: { method: string; path: string; auth?: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, base);
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method!, path: url.pathname + url.search, auth: req.headers.authorization });
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (req.method === "POST" && url.pathname === "/v2/auth/token") {
        const b = JSON.parse(Buffer.concat(chunks).toString());
        if (b.identifier !== "alice" || b.secret !== "dckr_pat_good") return send(401, { detail: "Incorrect authentication credentials" });
        logins++;
        const t = jwt(Math.floor(Date.now() / 1000) + tokenLifetime);
        issued.push(t);
        return send(200, { access_token: t });
      }
      const auth = req.headers.authorization?.replace(/^Bearer /, "");
      if (!auth || !issued.includes(auth)) return send(401, { detail: "Authentication credentials were not provided or are invalid" });
      if (mode === "429") return send(429, { detail: "Rate limit exceeded", error: false }, { "x-retry-after": String(Math.floor(Date.now() / 1000) + 120) });
      if (mode === "429-seconds") return send(429, { detail: "Rate limit exceeded" }, { "retry-after": "30" });
      if (url.pathname === "/v2/namespaces/acme/repositories") {
        const page = Number(url.searchParams.get("page"));
        const size = Number(url.searchParams.get("page_size"));
        const all = Array.from({ length: 5 }, (_, i) => ({ name: `app${i}`, namespace: "acme" }));
        const next = page * size < all.length ? `${base}/v2/namespaces/acme/repositories?page=${page + 1}&page_size=${size}` : null;
        return send(200, { count: all.length, next, previous: null, results: all.slice((page - 1) * size, page * size) });
      }
      if (url.pathname === "/v2/namespaces/nobody/repositories") return send(404, { detail: "Not found." });
      const tags = /^\/v2\/namespaces\/(library|acme)\/repositories\/(\w+)\/tags$/.exec(url.pathname);
      if (tags) {
        const page = Number(url.searchParams.get("page"));
        const all = Array.from({ length: 250 }, (_, i) => ({ name: `t${i}`, digest: `sha256:${String(i).padStart(64, "0")}`, tag_last_pushed: "2026-11-01T10:00:00.000000Z", last_updater_username: "bob", full_size: i }));
        const next = mode === "foreign-next" ? "http://198.51.100.7/v2/steal" : page * 100 < all.length ? `${base}${url.pathname}?page=${page + 1}&page_size=100` : null;
        return send(200, { count: all.length, next, previous: null, results: all.slice((page - 1) * 100, page * 100) });
      }
      const del = /^\/v2\/repositories\/acme\/app\/tags\/([^/]+)\/$/.exec(url.pathname);
      if (req.method === "DELETE" && del) return del[1] === "gone" ? send(404, { detail: "Not found." }) : send(204);
      return send(404, { detail: "Not found." });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  logins = 0;
  issued = [];
  seen.length = 0;
  mode = "ok";
  tokenLifetime = 600;
});

const api = (secret = "dckr_pat_good") => new HubApi({ base, identifier: "alice", secret });

describe("Hub API client", () => {
  it("signs in once and reuses the JWT until it is about to expire", async () => {
    const hub = api();
    await hub.repositories("acme", 1, 2);
    await hub.repositories("acme", 2, 2);
    expect(logins).toBe(1);
    expect(seen.filter((s) => s.path.startsWith("/v2/namespaces")).every((s) => s.auth?.startsWith("Bearer "))).toBe(true);
    // a token with 20 s left is inside the 30 s renewal margin: the next call signs in again
    tokenLifetime = 20;
    const short = api();
    await short.repositories("acme", 1, 2);
    await short.repositories("acme", 1, 2);
    expect(logins).toBe(3);
  });

  it("signs in again once when the API refuses a cached JWT", async () => {
    const hub = api();
    await hub.repositories("acme", 1, 2);
    issued = []; // the server forgets every token it handed out
    const page = await hub.repositories("acme", 1, 2);
    expect(page.results.map((r) => r.name)).toEqual(["app0", "app1"]);
    expect(logins).toBe(2);
  });

  it("pages repositories with page and page_size (at most 100)", async () => {
    const hub = api();
    const p1 = await hub.repositories("acme", 1, 2);
    expect(p1).toMatchObject({ count: 5, results: [{ name: "app0" }, { name: "app1" }] });
    expect(p1.next).toContain("page=2");
    const p3 = await hub.repositories("acme", 3, 2);
    expect(p3.results.map((r) => r.name)).toEqual(["app4"]);
    expect(p3.next).toBeNull();
    await hub.repositories("acme", 1, 1000);
    expect(seen.at(-1)!.path).toContain("page_size=100");
  });

  it("follows `next` through every tag page", async () => {
    const tags = await api().tags("library", "nginx");
    expect(tags).toHaveLength(250);
    expect(tags[249]).toMatchObject({ name: "t249", last_updater_username: "bob", full_size: 249 });
    expect(seen.filter((s) => s.path.includes("/tags")).map((s) => new URL(s.path, base).searchParams.get("page"))).toEqual(["1", "2", "3"]);
  });

  it("does not follow a `next` URL to another host (the JWT would go with it)", async () => {
    mode = "foreign-next";
    await expect(api().tags("acme", "app")).rejects.toThrow(/another host \(198\.51\.100\.7\)/);
  });

  it("reports a wrong token in the Hub's own words, never the token", async () => {
    const err = await api("dckr_pat_wrong").repositories("acme", 1, 1).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ status: 401, codes: ["UNAUTHORIZED"], registryMessage: "Incorrect authentication credentials" });
    expect(String(err.message)).not.toContain("dckr_pat_wrong");
  });

  it("maps an unknown namespace to NAME_UNKNOWN (404)", async () => {
    await expect(api().repositories("nobody", 1, 1)).rejects.toMatchObject({ status: 404, codes: ["NAME_UNKNOWN"], registryMessage: "Not found." });
  });

  it("turns a 429 into TOOMANYREQUESTS with the wait from X-Retry-After (unix time) or Retry-After (seconds)", async () => {
    mode = "429";
    const e1 = await api().repositories("acme", 1, 1).catch((e) => e);
    expect(e1).toMatchObject({ status: 429, codes: ["TOOMANYREQUESTS"], registryMessage: "Rate limit exceeded" });
    expect(e1.retryAfter).toBeGreaterThanOrEqual(118);
    expect(e1.retryAfter).toBeLessThanOrEqual(121);
    mode = "429-seconds";
    await expect(api().repositories("acme", 1, 1)).rejects.toMatchObject({ status: 429, retryAfter: 30 });
  });

  it("deletes one tag with DELETE /v2/repositories/{ns}/{repo}/tags/{tag}/ and reports a missing one", async () => {
    await api().deleteTag("acme", "app", "1.0");
    expect(seen.at(-1)).toMatchObject({ method: "DELETE", path: "/v2/repositories/acme/app/tags/1.0/" });
    await expect(api().deleteTag("acme", "app", "gone")).rejects.toMatchObject({ status: 404 });
  });

  it("refuses to send a token to a plain-http API that is not on loopback", async () => {
    const hub = new HubApi({ base: "http://hub.example.com", identifier: "alice", secret: "x" });
    await expect(hub.repositories("acme", 1, 1)).rejects.toThrow(/not https; refusing to send the access token/);
  });
});

describe("Docker Hub names and rate-limit headers", () => {
  it("puts official images under library/", () => {
    expect(hubRepository("nginx")).toBe("library/nginx");
    expect(hubRepository("acme/app")).toBe("acme/app");
    expect(splitRepository("nginx")).toEqual(["library", "nginx"]);
    expect(splitRepository("acme/app")).toEqual(["acme", "app"]);
  });

  it("reads ratelimit-limit / -remaining with their window, and none means unlimited", () => {
    expect(parseRateLimitHeader("100;w=21600")).toEqual({ value: 100, window: 21600 });
    const h = new Headers({ "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "87;w=21600", "docker-ratelimit-source": "192.0.2.1" });
    expect(budgetFromHeaders(h)).toEqual({ limit: 100, remaining: 87, windowSeconds: 21600, scope: "per IP address 192.0.2.1" });
    expect(budgetFromHeaders(new Headers())).toBeNull();
  });

  it("reads Retry-After as seconds or a date, else X-Retry-After as a unix time", () => {
    const now = Date.parse("2026-11-27T03:00:00Z");
    expect(hubRetryAfter(new Headers({ "retry-after": "90" }), now)).toBe(90);
    expect(hubRetryAfter(new Headers({ "retry-after": "Fri, 27 Nov 2026 03:10:00 GMT" }), now)).toBe(600);
    expect(hubRetryAfter(new Headers({ "x-retry-after": String(now / 1000 + 45) }), now)).toBe(45);
    expect(hubRetryAfter(new Headers(), now)).toBeUndefined();
  });
});

describe("the pull budget a provider keeps", () => {
  const url = new URL("https://registry-1.docker.io/v2/acme/app/manifests/1.0");
  const answer = (status: number, headers: Record<string, string>) => new Response(null, { status, headers });
  const budget = { "ratelimit-limit": "100;w=21600", "docker-ratelimit-source": "4f1c7d2e-uuid" };
  const now = Date.parse("2026-11-27T03:00:00Z");

  it("keeps the last budget a manifest answer carried; other paths are ignored", () => {
    const tap = new BudgetTap();
    expect(tap.current(now)).toBeNull();
    tap.observe("HEAD", url, answer(200, { ...budget, "ratelimit-remaining": "87;w=21600" }), now);
    tap.observe("GET", new URL("https://registry-1.docker.io/v2/acme/app/tags/list"), answer(200, { ...budget, "ratelimit-remaining": "5;w=21600" }), now);
    expect(tap.current(now)).toEqual({ limit: 100, remaining: 87, windowSeconds: 21600, scope: "per account 4f1c7d2e-uuid" });
  });

  it("a 429 with Retry-After sets when to retry; a pull that works again clears it", () => {
    const tap = new BudgetTap();
    tap.observe("HEAD", url, answer(200, { ...budget, "ratelimit-remaining": "3;w=21600" }), now);
    tap.observe("GET", url, answer(429, { "retry-after": "1800" }), now);
    expect(tap.current(now)).toMatchObject({ remaining: 0, retryAt: "2026-11-27T03:30:00.000Z" });
    expect(tap.current(now + 1801_000)?.retryAt).toBeUndefined();
    tap.observe("GET", url, answer(429, { "retry-after": "1800" }), now);
    tap.observe("GET", url, answer(200, { ...budget, "ratelimit-remaining": "99;w=21600" }), now + 60_000);
    expect(tap.current(now + 60_000)).toMatchObject({ remaining: 99 });
    expect(tap.current(now + 60_000)?.retryAt).toBeUndefined();
  });

  it("a 429 without Retry-After says the budget is spent but invents no retry time", () => {
    const tap = new BudgetTap();
    tap.observe("HEAD", url, answer(200, { ...budget, "ratelimit-remaining": "1;w=21600" }), now);
    tap.observe("GET", url, answer(429, {}), now);
    expect(tap.current(now)).toEqual({ limit: 100, remaining: 0, windowSeconds: 21600, scope: "per account 4f1c7d2e-uuid" });
  });
});
