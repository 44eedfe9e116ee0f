// Every provider kind against the hostile registry (test/harness/hostile-registry.ts), issue 12
// items 1, 3, 7, 12 and 14: no credential reaches another origin, nothing of another host is
// echoed, big and endless bodies cost a bounded amount of memory, endless pagination stops within
// one budget, and every failure comes back in time as a clear RegistryError.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openProvider, type Connection, type RegistryProvider } from "@/lib/providers";
import { vendorRequest } from "@/lib/providers/vendor-rest";
import { RegistryClient, RegistryError } from "@/lib/registry";
import type { RegistryKind } from "@/lib/schemas/registry";
import { ECR_PASSWORD, GOOGLE_ACCESS_TOKEN, HUGE_BYTES, OTHER_ORIGIN_BODY, startHostileRegistry, type Behaviour, type HostileRegistry } from "../harness/hostile-registry";

const SECRET = "s3cret-registry-password";
const SECRETS = [SECRET, ECR_PASSWORD, GOOGLE_ACCESS_TOKEN, Buffer.from(`u:${SECRET}`).toString("base64")];
const KINDS: RegistryKind[] = ["GENERIC", "DOCKERHUB", "GHCR", "GITLAB", "GOOGLE", "ECR", "QUAY", "HARBOR"];
/** A clear answer comes back well inside this (a busy 2-core machine included). */
const DEADLINE_MS = 20_000;

let h: HostileRegistry;
let googleKey: string;

beforeAll(async () => {
  h = await startHostileRegistry();
  googleKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
});
afterAll(async () => h?.stop());
beforeEach(() => {
  h.behaviour = "ok";
  h.log.length = 0;
  h.other.log.length = 0;
});

function connection(kind: RegistryKind): Connection {
  const base = { kind, endpoint: h.url, insecure: false, id: undefined };
  const userPass = { username: "u", password: SECRET };
  switch (kind) {
    case "DOCKERHUB": return { ...base, apiEndpoint: h.url, namespace: "acme", credentials: userPass };
    case "GHCR": return { ...base, apiEndpoint: `${h.url}/gh`, namespace: "acme", credentials: userPass };
    case "GITLAB": return { ...base, apiEndpoint: `${h.url}/gl`, namespace: "acme/web", credentials: userPass };
    case "QUAY": return { ...base, apiEndpoint: `${h.url}/qy`, namespace: "acme", credentials: { ...userPass, apiToken: SECRET } as Connection["credentials"] };
    case "HARBOR": return { ...base, apiEndpoint: `${h.url}/hb`, namespace: "acme", credentials: userPass };
    case "GOOGLE": {
      const key = { type: "service_account", client_email: "ci@p.iam.gserviceaccount.com", private_key: googleKey, token_uri: `${h.url}/gcp/token`, project_id: "p" };
      return { ...base, apiEndpoint: `${h.url}/gcp`, namespace: "p/r", credentials: { serviceAccountJson: JSON.stringify(key), location: "us" } as Connection["credentials"] };
    }
    case "ECR": return { ...base, apiEndpoint: `${h.url}/ecr`, namespace: null, credentials: { accessKeyId: "AKIAHOSTILE", secretAccessKey: "hostile", region: "us-east-1" } as Connection["credentials"] };
    default: return { ...base, apiEndpoint: null, namespace: null, credentials: userPass };
  }
}

/** The repository each kind's /v2 names (Docker Hub maps acme/app as it is). */
const REPO = "acme/web/app";

async function failure(p: Promise<unknown>): Promise<{ error: RegistryError; ms: number }> {
  const t0 = Date.now();
  const result = await p.then(() => undefined, (e: unknown) => e);
  const ms = Date.now() - t0;
  expect(result, "expected a failure").toBeInstanceOf(RegistryError);
  return { error: result as RegistryError, ms };
}

/** No credential went to the other origin, and no error or answer carries a secret or the other host's body. */
function expectNothingLeaked(...texts: string[]) {
  expect(h.other.log.filter((r) => r.authorization), "Authorization at the other origin").toEqual([]);
  for (const t of texts) {
    expect(t).not.toContain(OTHER_ORIGIN_BODY);
    for (const s of SECRETS) expect(t).not.toContain(s);
  }
}

async function run(b: Behaviour, p: () => Promise<unknown>) {
  h.behaviour = b;
  const { error, ms } = await failure(p());
  expect(ms).toBeLessThan(DEADLINE_MS);
  expectNothingLeaked(error.message, JSON.stringify({ ...error, cause: undefined }));
  return error;
}

describe.each(KINDS)("%s provider against the hostile registry: /v2", (kind) => {
  let provider: RegistryProvider;
  beforeAll(() => {
    provider = openProvider(connection(kind));
  });

  it("refuses a tag-list Link to another origin; the other origin gets nothing", async () => {
    const e = await run("link-other", () => provider.client.listTags(REPO));
    expect(e.codes).toContain("DENIED");
    expect(e.message).toMatch(/another host/);
    expect(h.other.log).toEqual([]);
  });

  it("stops endless pagination within the listing budget", async () => {
    const e = await run("link-endless", () => provider.client.listTags(REPO));
    expect(e.message).toMatch(/more than \d+ pages/);
  });

  it("does not follow a manifest redirect to another origin, nor echo its body", async () => {
    const e = await run("redirect-other", () => provider.client.getManifest(REPO, "1.0"));
    expect(e.status).toBe(307);
    expect(h.other.log).toEqual([]);
  });

  it("refuses a blob redirect to a link-local address (cloud metadata)", async () => {
    const e = await run("redirect-private", () => provider.client.getBlob(REPO, `sha256:${"0".repeat(64)}`));
    expect(e.codes).toContain("DENIED");
    expect(e.message).toMatch(/link-local/);
  });

  it("follows a blob redirect to storage elsewhere without credentials", async () => {
    h.behaviour = "redirect-other";
    const blob = await provider.client.getBlob(REPO, `sha256:${"0".repeat(64)}`);
    const e = await new Response(blob.stream).arrayBuffer().then(() => undefined, (x: unknown) => x);
    expect((e as RegistryError).codes).toContain("DIGEST_MISMATCH");
    expect(h.other.log).toHaveLength(1);
    expectNothingLeaked((e as Error).message);
  });

  it("keeps the status, never the body, of a redirected host's error", async () => {
    const e = await run("redirect-other-error", () => provider.client.getBlob(REPO, `sha256:${"0".repeat(64)}`));
    expect(e.status).toBe(403);
    expect(h.other.log).toHaveLength(1);
  });

  it("reads a config blob no further than its declared size", async () => {
    const sentBefore = h.bytesSent;
    const e = await run("huge", () => provider.client.readBlob(REPO, `sha256:${"0".repeat(64)}`, 2));
    expect(e.codes).toContain("MALFORMED");
    expect(e.message).toMatch(/more than the 2 bytes/);
    expect(h.bytesSent - sentBefore).toBeLessThan(HUGE_BYTES / 4);
  });

  it("stops reading a 256 MB chunked manifest at the cap", async () => {
    const sentBefore = h.bytesSent;
    const e = await run("huge", () => provider.client.getManifest(REPO, "1.0"));
    expect(e.codes).toContain("MALFORMED");
    expect(e.message).toMatch(/limit/);
    // the registry could not write much more than the cap and the socket buffers
    expect(h.bytesSent - sentBefore).toBeLessThan(HUGE_BYTES / 4);
  });

  it("refuses a manifest that declares 256 MB before reading it", async () => {
    const e = await run("declared-huge", () => provider.client.getManifest(REPO, "1.0"));
    expect(e.message).toMatch(/declares \d+ bytes/);
  });

  it("says a malformed manifest is malformed", async () => {
    const e = await run("malformed", () => provider.client.getManifest(REPO, "1.0"));
    expect(e.codes).toContain("MALFORMED");
  });

  it("refuses token realms in link-local and private networks", async () => {
    if (kind === "ECR" || kind === "GOOGLE") return; // their /v2 credentials are Basic by design; the realm path is the same transport
    for (const b of ["realm-link-local", "realm-private"] as const) {
      const fresh = openProvider(connection(kind));
      const e = await run(b, () => fresh.client.listTags(REPO));
      expect(e.codes).toContain("DENIED");
      expect(e.message).toMatch(b === "realm-link-local" ? /169\.254\.169\.254.*link-local/ : /10\.0\.0\.1.*private/);
    }
  });
});

/** What each vendor API lists, the vendor's way. */
const VENDOR_CALLS: Partial<Record<RegistryKind, (p: RegistryProvider) => Promise<unknown>>> = {
  GHCR: (p) => p.tagMetadata!("acme/app"),
  GITLAB: (p) => p.tagMetadata!("acme/web/app"),
  HARBOR: (p) => p.tagMetadata!("acme/app"),
  QUAY: (p) => p.tagMetadata!("acme/app"),
  DOCKERHUB: (p) => p.tagMetadata!("acme/app"),
  GOOGLE: (p) => p.tagMetadata!("p/r/img"),
  ECR: (p) => p.tagMetadata!("app"),
};

describe.each(Object.keys(VENDOR_CALLS) as RegistryKind[])("%s provider against the hostile registry: vendor REST API", (kind) => {
  const list = VENDOR_CALLS[kind]!;

  it("never sends the token to a next page on another origin", async () => {
    h.behaviour = "link-other";
    const result = await list(openProvider(connection(kind))).then((r) => JSON.stringify(r), (e: Error) => e.message);
    expectNothingLeaked(result);
    expect(h.other.log).toEqual([]);
  });

  it("ends endless pagination within one budget, in time", async () => {
    h.behaviour = "link-endless";
    const t0 = Date.now();
    const result = await list(openProvider(connection(kind))).then((r) => JSON.stringify(r), (e: Error) => e.message);
    expect(Date.now() - t0).toBeLessThan(DEADLINE_MS);
    expect(h.log.length).toBeLessThanOrEqual(1_100);
    expectNothingLeaked(result);
  });

  it("stops reading a 256 MB answer at the cap", async () => {
    if (kind === "ECR") return; // the AWS SDK reads its own answers (see docs/SECURITY.md)
    const sentBefore = h.bytesSent;
    const e = await run("huge", () => list(openProvider(connection(kind))));
    expect(e.message).toMatch(/limit/);
    expect(h.bytesSent - sentBefore).toBeLessThan(HUGE_BYTES / 4);
  });

  it("says malformed JSON is malformed", async () => {
    if (kind === "ECR") return;
    const e = await run("malformed", () => list(openProvider(connection(kind))));
    expect(e.codes).toContain("MALFORMED");
  });
});

describe("token server answers are bounded", () => {
  it("a 256 MB token answer is refused at 1 MiB", async () => {
    const client = new RegistryClient({ endpoint: h.url, credentials: { username: "u", password: SECRET }, options: { retries: 0 } });
    const sentBefore = h.bytesSent;
    const e = await run("token-huge", () => client.listTags("acme/app"));
    expect(e.message).toMatch(/1048576-byte limit/);
    expect(h.bytesSent - sentBefore).toBeLessThan(HUGE_BYTES / 4);
  });
});

describe("slow drip answers end at the deadline", () => {
  it("/v2: a manifest dripping a byte at a time times out", async () => {
    const client = new RegistryClient({ endpoint: h.url, credentials: { username: "u", password: SECRET }, options: { timeoutMs: 1_500, retries: 0 } });
    const e = await run("slow", () => client.getManifest("acme/app", "1.0"));
    expect(e.codes).toContain("TIMEOUT");
  });

  it("vendor REST: a dripping answer times out", async () => {
    h.behaviour = "slow";
    const api = { base: `${h.url}/hb`, name: "Harbor API", insecure: false, timeoutMs: 1_500, authorization: () => `Bearer ${SECRET}` };
    const { error, ms } = await failure(vendorRequest(api, "GET", new URL(`${h.url}/hb/projects/acme/repositories`), "listing"));
    expect(error.codes).toContain("TIMEOUT");
    expect(ms).toBeLessThan(DEADLINE_MS);
  });
});

describe("memory stays bounded", () => {
  it("a 256 MB chunked manifest grows the process by a few MiB at most", async () => {
    const client = new RegistryClient({ endpoint: h.url, credentials: { username: "u", password: SECRET } });
    await client.ping();
    globalThis.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed + before.arrayBuffers;
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
    }, 10);
    h.behaviour = "huge";
    const sentBefore = h.bytesSent;
    const e = await failure(client.getManifest("acme/app", "1.0"));
    clearInterval(timer);
    const grewRss = (peakRss - before.rss) / 2 ** 20;
    const grewHeap = (peakHeap - before.heapUsed - before.arrayBuffers) / 2 ** 20;
    const sent = (h.bytesSent - sentBefore) / 2 ** 20;
    console.log(`[hostile] 256 MB chunked manifest: refused in ${e.ms} ms; RSS +${grewRss.toFixed(1)} MiB (peak), heap+buffers +${grewHeap.toFixed(1)} MiB (peak); the registry wrote ${sent.toFixed(1)} MiB before the read stopped`);
    expect(e.error.message).toMatch(/8388608-byte limit/);
    expect(grewRss).toBeLessThan(96);
    expect(sent).toBeLessThan(64);
  });
});
