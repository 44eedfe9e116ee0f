import "server-only";
// Docker Hub's /v2: official names under library/, and a tap that keeps the last pull budget seen
// (Docker documents the ratelimit-* headers on a manifest answer, and that a HEAD does not count as a pull).
import { RegistryClient } from "@/lib/registry";
import { budgetFromHeaders, DOCKER_HUB_RATE_LIMIT } from "../rate-limit";
import type { RateLimitBudget } from "../types";
import { hubRepository, hubRetryAfter } from "./hub-api";

/** Docker's documented probe for the pull budget: HEAD of this manifest. */
export const RATE_LIMIT_PROBE = { repository: "ratelimitpreview/test", reference: "latest" };

export class HubRegistryClient extends RegistryClient {
  override tagsPage(...a: Parameters<RegistryClient["tagsPage"]>) { a[0] = hubRepository(a[0]); return super.tagsPage(...a); }
  override listTags(...a: Parameters<RegistryClient["listTags"]>) { a[0] = hubRepository(a[0]); return super.listTags(...a); }
  override headManifest(...a: Parameters<RegistryClient["headManifest"]>) { a[0] = hubRepository(a[0]); return super.headManifest(...a); }
  override getManifest(...a: Parameters<RegistryClient["getManifest"]>) { a[0] = hubRepository(a[0]); return super.getManifest(...a); }
  override putManifest(...a: Parameters<RegistryClient["putManifest"]>) { a[0] = hubRepository(a[0]); return super.putManifest(...a); }
  override putManifestDetailed(...a: Parameters<RegistryClient["putManifestDetailed"]>) { a[0] = hubRepository(a[0]); return super.putManifestDetailed(...a); }
  override deleteManifest(...a: Parameters<RegistryClient["deleteManifest"]>) { a[0] = hubRepository(a[0]); return super.deleteManifest(...a); }
  override headBlob(...a: Parameters<RegistryClient["headBlob"]>) { a[0] = hubRepository(a[0]); return super.headBlob(...a); }
  override getBlob(...a: Parameters<RegistryClient["getBlob"]>) { a[0] = hubRepository(a[0]); return super.getBlob(...a); }
  override readBlob(...a: Parameters<RegistryClient["readBlob"]>) { a[0] = hubRepository(a[0]); return super.readBlob(...a); }
  override uploadBlob(...a: Parameters<RegistryClient["uploadBlob"]>) { a[0] = hubRepository(a[0]); return super.uploadBlob(...a); }
  override mountBlob(...a: Parameters<RegistryClient["mountBlob"]>) { a[0] = hubRepository(a[0]); a[2] = hubRepository(a[2]); return super.mountBlob(...a); }
  override uploadSession(...a: Parameters<RegistryClient["uploadSession"]>) { a[0] = hubRepository(a[0]); return super.uploadSession(...a); }
  override referrers(...a: Parameters<RegistryClient["referrers"]>) { a[0] = hubRepository(a[0]); return super.referrers(...a); }
}

const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/]+$/;

/** Keeps the last pull budget seen on any manifest answer, and when to retry after a 429. */
export class BudgetTap {
  last?: RateLimitBudget;
  retryAt?: number;

  observe(method: string, url: URL, res: Response, now: number) {
    if (!MANIFEST_PATH.test(url.pathname)) return;
    const budget = budgetFromHeaders(res.headers, DOCKER_HUB_RATE_LIMIT);
    if (budget) this.last = budget;
    if (res.status === 429) {
      // Retry-After when sent, else a `ratelimit-reset` (seconds, IETF RateLimit draft); never a guess
      const reset = Number(res.headers.get("ratelimit-reset")?.split(";")[0] ?? NaN);
      const wait = hubRetryAfter(res.headers, now) ?? (Number.isFinite(reset) && reset > 0 ? reset : undefined);
      this.retryAt = wait !== undefined ? now + wait * 1000 : undefined;
      if (this.last) this.last = { ...this.last, remaining: 0 };
    } else if ((budget && budget.remaining > 0) || (res.status === 200 && method === "GET")) {
      // pulls work again: a budget left, or a manifest read that went through
      this.retryAt = undefined;
    }
  }

  /** The budget as last seen, with when to retry while a 429 holds. */
  current(now: number): RateLimitBudget | null {
    if (!this.last) return null;
    return this.retryAt && this.retryAt > now ? { ...this.last, retryAt: new Date(this.retryAt).toISOString() } : this.last;
  }
}
