// The one metrics registry (prom-client), served at /metrics in Prometheus' text format. Every
// instance keeps its own counters; Prometheus scrapes each instance (see deploy/grafana-dashboard.json).
// Labels are bounded: routes are the app's route patterns, registries the configured ones.
import client, { Counter, Gauge, Histogram, Registry } from "prom-client";
import { processWide } from "@/lib/process-wide";

function create() {
  const registry = new Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "regatta_" });
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  const m = {
    registry,
    httpRequests: new Counter({ name: "regatta_http_requests_total", help: "HTTP requests answered, by route pattern, method and status", labelNames: ["route", "method", "status"], registers: [registry] }),
    httpDuration: new Histogram({ name: "regatta_http_request_duration_seconds", help: "HTTP request latency, by route pattern and method", labelNames: ["route", "method"], buckets: seconds, registers: [registry] }),
    registryCalls: new Counter({ name: "regatta_registry_calls_total", help: "Calls to registries (retries included in one call), by registry kind, registry and outcome", labelNames: ["kind", "registry", "outcome"], registers: [registry] }),
    registryDuration: new Histogram({ name: "regatta_registry_call_duration_seconds", help: "Registry call latency, by registry kind and registry", labelNames: ["kind", "registry"], buckets: seconds, registers: [registry] }),
    tokenRequests: new Counter({ name: "regatta_registry_token_requests_total", help: "Token requests (refreshes) to registries' token services, by registry and outcome (ok, failed)", labelNames: ["kind", "registry", "outcome"], registers: [registry] }),
    rateLimitRemaining: new Gauge({ name: "regatta_registry_rate_limit_remaining", help: "Pull budget left as the registry last reported it (ratelimit-remaining)", labelNames: ["kind", "registry"], registers: [registry], aggregator: "min" }),
    jobs: new Gauge({ name: "regatta_jobs", help: "Jobs by queue and state (queued, running, failed in the last 24 h), as PostgreSQL holds them (the same on every instance)", labelNames: ["queue", "state"], registers: [registry], aggregator: "max" }),
    jobDuration: new Histogram({ name: "regatta_job_duration_seconds", help: "Job run time, by queue and outcome", labelNames: ["queue", "outcome"], buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900], registers: [registry] }),
    webhookEvents: new Counter({ name: "regatta_webhook_events_total", help: "Registry webhook events, by result (accepted, duplicate, ignored, rejected)", labelNames: ["result"], registers: [registry] }),
    auditChainIntact: new Gauge({ name: "regatta_audit_chain_intact", help: "1 when the last audit chain verification found the chain intact, 0 when broken, -1 before the first verification", registers: [registry], aggregator: "min" }),
    auditChainVerifiedAt: new Gauge({ name: "regatta_audit_chain_last_verification_timestamp_seconds", help: "When the audit chain was last verified (Unix time)", registers: [registry], aggregator: "max" }),
    signInFailures: new Counter({ name: "regatta_sign_in_failures_total", help: "Failed sign-ins, by reason (password, rate_limited)", labelNames: ["reason"], registers: [registry] }),
  };
  m.auditChainIntact.set(-1);
  for (const r of ["accepted", "duplicate", "ignored", "rejected"]) m.webhookEvents.inc({ result: r }, 0);
  for (const r of ["password", "rate_limited"]) m.signInFailures.inc({ reason: r }, 0);
  return m;
}

/** This process's metrics (one for instrumentation, the pages and the routes: lib/process-wide.ts). */
export const metrics = processWide("metrics", create);

const registries = processWide("metricRegistryNames", () => new Map<string, { kind: string; name: string }>());

/** Which registry an endpoint host is: called when a registry's client is opened. */
export function nameRegistry(endpointHost: string, kind: string, name: string) {
  registries.set(endpointHost, { kind, name });
}

export function registryLabels(endpointHost: string): { kind: string; registry: string } {
  const r = registries.get(endpointHost);
  return r ? { kind: r.kind, registry: r.name } : { kind: "unknown", registry: "unknown" };
}

/** "2xx" … "5xx", or "error" when no answer came. */
export function outcomeOf(status: number | undefined): string {
  return status === undefined ? "error" : `${Math.floor(status / 100)}xx`;
}

/** Gauges read at scrape time (queue depths, audit state): registered by the part that knows them. */
export function onScrape(name: string, collect: () => Promise<void>) {
  scrapers.set(name, collect);
}
const scrapers = processWide("metricScrapers", () => new Map<string, () => Promise<void>>());

/** The text Prometheus reads; a collector that fails leaves its gauges as they were. */
export async function metricsText(): Promise<string> {
  await Promise.all([...scrapers.values()].map((c) => c().catch(() => {})));
  return metrics.registry.metrics();
}

export const CONTENT_TYPE = metrics.registry.contentType;
