// One reader of the rate-limit headers vendors send, with each vendor's header names:
// - GitHub REST API: x-ratelimit-limit / -remaining / -reset (unix time), an hour's window
//   (docs.github.com "Rate limits for the REST API", "Checking the status of your rate limit").
// - GitLab REST API: RateLimit-Limit / -Remaining / -Reset (unix time)
//   (docs.gitlab.com "Rate limits", "Headers").
// - Docker Hub /v2: ratelimit-limit / -remaining as `100;w=21600` (the IETF draft's quota policy), and
//   docker-ratelimit-source (the account id or IP address the budget counts for)
//   (docs.docker.com "Docker Hub usage and limits", "View pull rate and limit").
import type { RateLimitBudget } from "./types";

export interface RateLimitHeaders {
  limit: string;
  remaining: string;
  /** the header with the unix time the budget refills; said as `retryAt` once nothing is left */
  resetAt?: string;
  /** the window when the headers do not carry one (`;w=`) */
  windowSeconds?: number;
  /** whom the budget counts for, from the answer's headers */
  scope?: (h: Headers) => string | undefined;
}

export const GITHUB_RATE_LIMIT: RateLimitHeaders = { limit: "x-ratelimit-limit", remaining: "x-ratelimit-remaining", resetAt: "x-ratelimit-reset", windowSeconds: 3600 };
export const GITLAB_RATE_LIMIT: RateLimitHeaders = { limit: "ratelimit-limit", remaining: "ratelimit-remaining", resetAt: "ratelimit-reset", scope: () => "GitLab REST API, per user" };
export const DOCKER_HUB_RATE_LIMIT: RateLimitHeaders = {
  limit: "ratelimit-limit",
  remaining: "ratelimit-remaining",
  scope: (h) => {
    const source = h.get("docker-ratelimit-source");
    return source ? `per ${/^[\d.:a-f]+$/i.test(source) ? "IP address" : "account"} ${source}` : undefined;
  },
};

/** `100;w=21600` → { value: 100, window: 21600 }; `5000` → { value: 5000 } */
export function parseRateLimitHeader(v: string | null): { value: number; window?: number } | null {
  if (!v) return null;
  const [first, ...params] = v.split(";").map((s) => s.trim());
  const value = Number(first);
  if (!first || !Number.isFinite(value)) return null;
  const w = params.map((p) => /^w=(\d+)$/.exec(p)).find(Boolean);
  return { value, ...(w ? { window: Number(w[1]) } : {}) };
}

/** The budget in an answer's headers, the vendor's way; null when there are none (no limit, or not said). */
export function budgetFromHeaders(h: Headers, names: RateLimitHeaders): RateLimitBudget | null {
  const limit = parseRateLimitHeader(h.get(names.limit));
  const remaining = parseRateLimitHeader(h.get(names.remaining));
  if (!limit || !remaining) return null;
  const windowSeconds = limit.window ?? remaining.window ?? names.windowSeconds;
  const reset = names.resetAt ? Number(h.get(names.resetAt)) : NaN;
  const scope = names.scope?.(h);
  return {
    limit: limit.value,
    remaining: remaining.value,
    ...(windowSeconds ? { windowSeconds } : {}),
    ...(remaining.value === 0 && reset ? { retryAt: new Date(reset * 1000).toISOString() } : {}),
    ...(scope ? { scope } : {}),
  };
}
