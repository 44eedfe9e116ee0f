// Plain HTTP access to a harness registry (Basic for htpasswd, Bearer from the token server).
import type { RunningRegistry } from "./registry";

export const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
];
export const MANIFEST_ACCEPT = MANIFEST_TYPES.join(", ");

export interface Credentials { username: string; password: string }

const basic = (c: Credentials) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;

function defaultCreds(reg: RunningRegistry): Credentials | null {
  return reg.username && reg.password ? { username: reg.username, password: reg.password } : null;
}

/** Ask the registry's token server for a token (scopes like "repository:demo/app:pull,push"). */
export async function fetchToken(
  reg: RunningRegistry, scopes: string[], creds: Credentials | null = defaultCreds(reg),
): Promise<{ status: number; token?: string; expiresIn?: number }> {
  if (!reg.tokenServer) throw new Error(`registry ${reg.name} has no token server`);
  const url = new URL(reg.tokenServer.url);
  url.searchParams.set("service", reg.tokenServer.service);
  for (const s of scopes) url.searchParams.append("scope", s);
  const res = await fetch(url, { headers: creds ? { authorization: basic(creds) } : {} });
  const body = (await res.json()) as { token?: string; expires_in?: number };
  return { status: res.status, token: body.token, expiresIn: body.expires_in };
}

/** Authorization header value for the given scopes, or undefined for an open registry. */
export async function authorization(
  reg: RunningRegistry, scopes: string[], creds: Credentials | null = defaultCreds(reg),
): Promise<string | undefined> {
  if (reg.mode === "open") return undefined;
  if (reg.mode === "htpasswd") return creds ? basic(creds) : undefined;
  const { status, token } = await fetchToken(reg, scopes, creds);
  if (status !== 200 || !token) throw new Error(`token request for ${scopes.join(" ")} failed: ${status}`);
  return `Bearer ${token}`;
}

/** fetch() against the registry with an Authorization header for `scopes` (if any needed). */
export async function registryFetch(
  reg: RunningRegistry, pathAndQuery: string, init: RequestInit & { scopes?: string[] } = {},
): Promise<Response> {
  const { scopes = [], ...rest } = init;
  const headers = new Headers(rest.headers);
  const auth = await authorization(reg, scopes);
  if (auth && !headers.has("authorization")) headers.set("authorization", auth);
  return fetch(`${reg.url}${pathAndQuery}`, { ...rest, headers });
}

/** Run `fn` over `items` with at most `limit` in flight (the engine's own helper). */
export { mapLimit } from "../../lib/concurrency";
