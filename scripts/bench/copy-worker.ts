// Child process for the cross-registry copy benchmark: our copies run here, away from the bench's
// own allocations (harness, seeding, listings), so RSS growth is the copy's. Driven over stdin,
// one JSON command per line; one JSON result per line on stdout.
//   {"kind":"lib","repository":"bench-ours-1/big"}   copyImage source → target repository:tag
//   {"kind":"fetch","repository":"bench-raw-1/big"}  reference: the layer piped by bare fetch()
import readline from "node:readline";
import { copyImage, RegistryClient, type RegistryClientOptions } from "../../lib/registry";

export interface WorkerConfig {
  source: { url: string; repository: string; reference: string };
  target: { url: string; username?: string; password?: string; tag: string };
  userAgent: string;
}

export interface WorkerResult {
  kind: "lib" | "fetch";
  repository: string;
  ms: number;
  bytes: number;
  digest?: string;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  cpuMs: number;
  error?: string;
}

const MiB = 1024 * 1024;
const config = JSON.parse(process.argv[2] ?? "{}") as WorkerConfig;
const targetCredentials = config.target.username ? { username: config.target.username, password: config.target.password! } : undefined;
const client = (endpoint: string, credentials?: RegistryClientOptions["credentials"]) =>
  new RegistryClient({ endpoint, credentials, userAgent: config.userAgent });

async function libCopy(repository: string): Promise<{ bytes: number; digest: string }> {
  const result = await copyImage(
    { client: client(config.source.url), repository: config.source.repository, reference: config.source.reference },
    { client: client(config.target.url, targetCredentials), repository, tag: config.target.tag },
  );
  return { bytes: result.bytesCopied, digest: result.digest };
}

/** The biggest layer through bare undici fetch (GET body straight into one PATCH): no lib code at all. */
async function fetchCopy(repository: string): Promise<{ bytes: number }> {
  const headers = { "user-agent": config.userAgent, ...(targetCredentials ? { authorization: `Basic ${Buffer.from(`${targetCredentials.username}:${targetCredentials.password}`).toString("base64")}` } : {}) };
  const accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
  const m = await fetch(`${config.source.url}/v2/${config.source.repository}/manifests/${config.source.reference}`, { headers: { accept } });
  const manifest = (await m.json()) as { layers: { digest: string; size: number }[] };
  const layer = manifest.layers.reduce((a, b) => (b.size > a.size ? b : a));
  const get = await fetch(`${config.source.url}/v2/${config.source.repository}/blobs/${layer.digest}`);
  const post = await fetch(`${config.target.url}/v2/${repository}/blobs/uploads/`, { method: "POST", headers });
  await post.arrayBuffer();
  const patch = await fetch(new URL(post.headers.get("location")!, config.target.url), {
    method: "PATCH", body: get.body, duplex: "half", headers: { ...headers, "content-type": "application/octet-stream", "content-length": String(layer.size) },
  } as RequestInit);
  await patch.arrayBuffer();
  const put = new URL(patch.headers.get("location")!, config.target.url);
  put.searchParams.set("digest", layer.digest);
  const done = await fetch(put, { method: "PUT", headers: { ...headers, "content-length": "0" } });
  await done.arrayBuffer();
  if (done.status !== 201) throw new Error(`PUT ${done.status}`);
  return { bytes: layer.size };
}

async function measure(kind: "lib" | "fetch", repository: string): Promise<WorkerResult> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 5);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let out: { bytes: number; digest?: string } = { bytes: 0 };
  let error: string | undefined;
  try {
    out = kind === "lib" ? await libCopy(repository) : await fetchCopy(repository);
  } catch (e) {
    error = String(e);
  }
  const ms = performance.now() - t0;
  sample();
  clearInterval(timer);
  const cpu = process.cpuUsage(cpu0);
  return {
    kind, repository, ms, bytes: out.bytes, digest: out.digest, error,
    rssBeforeMiB: before / MiB,
    rssPeakMiB: peak / MiB,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

// Load undici and open the connections first: the measured runs then start from a warm process.
const rssStart = process.memoryUsage().rss;
await client(config.source.url).ping();
await client(config.target.url, targetCredentials).ping();
const rl = readline.createInterface({ input: process.stdin });
process.stdout.write(`${JSON.stringify({ ready: true, rssStartMiB: rssStart / MiB, rssReadyMiB: process.memoryUsage().rss / MiB })}\n`);
for await (const line of rl) {
  const cmd = JSON.parse(line) as { kind: "lib" | "fetch" | "exit"; repository: string };
  if (cmd.kind === "exit") break;
  process.stdout.write(`${JSON.stringify(await measure(cmd.kind, cmd.repository))}\n`);
}
rl.close();
