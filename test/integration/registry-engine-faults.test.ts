// lib/registry under faults, against real registry processes (CNCF distribution 2.8) and checked
// with skopeo: a target registry killed in the middle of a 100 MiB copy, and bearer tokens that
// expire in the middle of a multi-step operation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildIndex, pushBigImage, pushIndex, skopeo, skopeoInspect, startRegistry, STANDARD_PLAN,
  type AccessLogEntry, type RunningRegistry,
} from "../harness";
import { copyImage, RegistryClient, RegistryError, type CopyProgress } from "@/lib/registry";

const UA = "regatta-itest/faults";
let open: RunningRegistry; // source of every copy
let basic: RunningRegistry; // htpasswd target, restarted mid-copy
let token: RunningRegistry; // token-auth target, tokens expire mid-operation
let big: { digest: string; layerSize: number };
let multi: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function clientFor(reg: RunningRegistry, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}): RegistryClient {
  const credentials = reg.username ? { username: reg.username, password: reg.password! } : undefined;
  return new RegistryClient({ endpoint: reg.url, credentials, userAgent: UA, ...extra });
}

async function requestsSince(reg: RunningRegistry, from: number): Promise<AccessLogEntry[]> {
  return (await reg.settledAccessLog(from)).filter((e) => e.userAgent === UA);
}

async function skopeoRaw(reg: RunningRegistry, ref: string): Promise<string> {
  const creds = reg.username ? ["--creds", `${reg.username}:${reg.password}`] : [];
  return skopeo(["inspect", "--raw", "--tls-verify=false", ...creds, `docker://${reg.host}/${ref}`]);
}

beforeAll(async () => {
  [open, basic, token] = await Promise.all([
    startRegistry({ mode: "open", name: "faults-src" }),
    startRegistry({ mode: "htpasswd", name: "faults-basic" }),
    startRegistry({ mode: "token", name: "faults-token" }),
  ]);
  const [b, index] = await Promise.all([pushBigImage(open, "big:1", 100), buildIndex(STANDARD_PLAN.platforms, {}, "1.0")]);
  big = b;
  multi = (await pushIndex(open, "demo/multi:1.0", STANDARD_PLAN.platforms, index)).digest;
});

afterAll(async () => {
  await Promise.all([open, basic, token].filter(Boolean).map((r) => r.stop()));
});

describe("target registry stopped in the middle of a copy", () => {
  it("copyImage rejects with a temporary RegistryError; after restart() the tag does not exist; the same copy then succeeds", async () => {
    const source = { client: clientFor(open), repository: "big", reference: "1" };
    const target = { client: clientFor(basic), repository: "faults/big", tag: "1" };
    let halting: Promise<void> | undefined;
    let stoppedAt: CopyProgress | undefined;
    const progress: CopyProgress[] = [];
    const error = await copyImage(source, target, {
      onProgress: (p) => {
        progress.push(p);
        if (!halting && p.bytesDone > p.bytesTotal / 10) {
          stoppedAt = p;
          halting = basic.halt(); // the registry process goes away (SIGTERM) while the layer uploads
        }
      },
    }).then(() => undefined, (e: unknown) => e);
    await halting;
    await basic.restart(); // same port, config and storage

    expect(stoppedAt, "the copy finished before 10 % was reported").toBeDefined();
    expect(stoppedAt!.bytesDone).toBeLessThan(stoppedAt!.bytesTotal);
    expect(error).toBeInstanceOf(RegistryError);
    const e = error as RegistryError;
    expect(e.isTemporary() || e.hasCode("NETWORK"), e.message).toBe(true);
    expect(progress.at(-1)!.bytesDone).toBeLessThan(stoppedAt!.bytesTotal); // it stopped, it did not finish elsewhere

    await expect(skopeoInspect(basic, "faults/big:1")).rejects.toThrow(/manifest unknown|name unknown/i);
    expect(await target.client.headManifest("faults/big", "1")).toBeNull();

    const retry = await copyImage(source, target);
    expect(retry.digest).toBe(big.digest);
    expect(retry.bytesCopied).toBeGreaterThanOrEqual(big.layerSize); // the layer went over again, whole
    expect((await skopeoInspect(basic, "faults/big:1")).Digest).toBe(big.digest);
  });
});

describe("bearer token expiring in the middle of an operation", () => {
  /**
   * A pause between two steps: after the answer to the first PUT of a child manifest (by digest)
   * the copy waits `ms` before its next request (the other child, then the index's tag), so the
   * operation spans the token's expiry. The client picks its token after the pause.
   */
  function pauseAfterFirstChildPut(ms: number): typeof fetch {
    let paused = false;
    return async (input, init) => {
      const res = await fetch(input, init);
      const url = String(input instanceof Request ? input.url : input);
      if (!paused && init?.method === "PUT" && /\/manifests\/sha256:[0-9a-f]{64}$/.test(url)) {
        paused = true;
        await sleep(ms);
      }
      return res;
    };
  }

  async function copyMulti(repository: string, fetchImpl: typeof fetch) {
    const dst = clientFor(token, { fetch: fetchImpl });
    expect((await dst.ping()).ok).toBe(true); // auth scheme known before the clock starts
    return copyImage({ client: clientFor(open), repository: "demo/multi", reference: "1.0" }, { client: dst, repository, tag: "1.0" });
  }

  it("tokens living 1 s: the client takes a fresh token for the later steps and the copy succeeds", async () => {
    const ts = token.tokenServer!;
    const repository = "ttl/short";
    const logAt = ts.log.length;
    const requestsAt = ts.requests;
    ts.setTtl(1);
    try {
      const t0 = performance.now();
      const result = await copyMulti(repository, pauseAfterFirstChildPut(1500));
      expect(performance.now() - t0).toBeGreaterThan(1500);
      expect(result.digest).toBe(multi);
    } finally {
      ts.setTtl(300);
    }
    expect(await skopeoRaw(token, `${repository}:1.0`)).toBe(await skopeoRaw(open, "demo/multi:1.0"));
    expect(ts.requests).toBeGreaterThan(requestsAt);
    // push tokens for the target: one for the blobs and children, a fresh one after it expired
    const pushTokens = ts.log.slice(logAt).filter((l) => l.status === 200 && l.scopes.some((s) => s === `repository:${repository}:pull,push`));
    expect(pushTokens.length).toBeGreaterThanOrEqual(2);
  });

  it("a token the registry rejects as expired (401) mid-copy: the client fetches a new one and repeats the request", async () => {
    // exp 56 s in the past: registry 2.8 (60 s leeway) accepts such a token for 3-4 s only, while
    // the client, told nothing usable (expires_in < 0), keeps it for its default 60 s. So the
    // registry, not the client, decides that the token has expired.
    const ts = token.tokenServer!;
    const repository = "ttl/rejected";
    const at = token.accessLog().length;
    const requestsAt = ts.requests;
    ts.setTtl(-56);
    try {
      const result = await copyMulti(repository, pauseAfterFirstChildPut(4500));
      expect(result.digest).toBe(multi);
    } finally {
      ts.setTtl(300);
    }
    // the children go at once, [pause], then what follows (the index tag, or a child still to
    // go) is refused with the stale token once and repeated with a new one; the index tag last
    const manifestPuts = (await requestsSince(token, at)).filter((e) => e.method === "PUT" && e.path.includes(`/v2/${repository}/manifests/`));
    expect(manifestPuts).toHaveLength(4);
    const refused = manifestPuts.findIndex((e) => e.status === 401);
    expect(manifestPuts.filter((e) => e.status === 401)).toHaveLength(1);
    expect(refused).toBeGreaterThan(0);
    expect(manifestPuts[refused + 1]).toMatchObject({ status: 201, path: manifestPuts[refused]!.path });
    expect(manifestPuts.filter((e) => e.status === 201)).toHaveLength(3);
    expect(manifestPuts[3]!.path).toBe(`/v2/${repository}/manifests/1.0`);
    expect(ts.requests).toBeGreaterThan(requestsAt);
    expect(await skopeoRaw(token, `${repository}:1.0`)).toBe(await skopeoRaw(open, "demo/multi:1.0"));
  });
});
