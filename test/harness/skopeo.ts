// skopeo/umoci runner. As root, containers/image writes its blob-info cache to
// /var/lib/containers/cache whatever HOME/XDG say, and that cache remembers blob locations per
// "127.0.0.1:PORT/repo" across runs (stray HEADs/mounts that skew request counts). So when running
// as root the tools run as nobody (65534) inside a harness work dir, with TMPDIR/HOME/XDG_* there
// and our own accept-anything policy.json (a fresh machine may have no /etc/containers/policy.json).
import fs from "node:fs";
import path from "node:path";
import { cleanEnv, makeTempDir, requireCommand, run, type RunOptions } from "./proc";
import type { RunningRegistry } from "./registry";
import type { Credentials } from "./http";

export interface ToolEnv { dir: string; opts: RunOptions; policyPath: string }

let toolEnv: ToolEnv | undefined;

/** The per-process work dir and environment for skopeo and umoci (created on first use). */
export function tools(baseDir?: string): ToolEnv {
  if (toolEnv) return toolEnv;
  const dir = makeTempDir("tools", baseDir);
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? { uid: 65534, gid: 65534 } : {};
  // every directory on the way belongs to the tools' user (home/.local too, not only .local/share)
  const sub = (p: string) => {
    const full = path.join(dir, p);
    fs.mkdirSync(full, { recursive: true, mode: 0o700 });
    if (asRoot) {
      for (let d = full; d !== dir; d = path.dirname(d)) fs.chownSync(d, 65534, 65534);
    }
    return full;
  };
  if (asRoot) fs.chownSync(dir, 65534, 65534);
  const home = sub("home");
  const env = cleanEnv({
    TMPDIR: sub("tmp"), HOME: home, XDG_RUNTIME_DIR: sub("run"),
    XDG_CONFIG_HOME: sub("home/.config"), XDG_DATA_HOME: sub("home/.local/share"),
    XDG_CACHE_HOME: sub("home/.cache"), REGISTRY_AUTH_FILE: path.join(home, "auth.json"),
  });
  delete env.DOCKER_CONFIG;
  delete env.CONTAINERS_REGISTRIES_CONF;
  const policyPath = path.join(dir, "policy.json");
  fs.writeFileSync(policyPath, JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }));
  toolEnv = { dir, opts: { env, cwd: dir, ...ids }, policyPath };
  return toolEnv;
}

/** mkdir inside the tool dir, owned by the tool user. */
export function toolDir(name: string): string {
  const t = tools();
  const full = fs.mkdtempSync(path.join(t.dir, `${name}-`));
  fs.chmodSync(full, 0o755);
  if (t.opts.uid !== undefined) fs.chownSync(full, t.opts.uid, t.opts.gid!);
  return full;
}

/** Run skopeo with the harness policy and environment; resolves stdout. */
export async function skopeo(args: string[]): Promise<string> {
  requireCommand("skopeo");
  const t = tools();
  return run("skopeo", ["--policy", t.policyPath, ...args], t.opts);
}

/** Run umoci (or any tool) as the tool user. */
export async function tool(cmd: string, args: string[]): Promise<string> {
  requireCommand(cmd);
  return run(cmd, args, tools().opts);
}

export const dockerRef = (reg: RunningRegistry, ref: string) => `docker://${reg.host}/${ref}`;

export interface CredsOption {
  /** Override the registry's default credentials; null means anonymous. */
  creds?: Credentials | null;
}

export function credsArgs(reg: RunningRegistry, flag: string, creds?: Credentials | null): string[] {
  const c = creds === undefined ? (reg.username ? { username: reg.username, password: reg.password! } : null) : creds;
  return c ? [flag, `${c.username}:${c.password}`] : [flag.replace(/creds$/, "no-creds")];
}

/** `skopeo inspect` → parsed JSON (`raw: true` gives the manifest itself, `config: true` the config). */
export async function skopeoInspect(
  reg: RunningRegistry, ref: string, opts: CredsOption & { raw?: boolean; config?: boolean } = {},
): Promise<any> {
  const args = ["inspect", "--tls-verify=false", ...credsArgs(reg, "--creds", opts.creds)];
  if (opts.raw) args.push("--raw");
  if (opts.config) args.push("--config");
  return JSON.parse(await skopeo([...args, dockerRef(reg, ref)]));
}

/** `skopeo list-tags` → the tag names. */
export async function skopeoListTags(reg: RunningRegistry, repo: string, opts: CredsOption = {}): Promise<string[]> {
  const out = await skopeo(["list-tags", "--tls-verify=false", ...credsArgs(reg, "--creds", opts.creds), dockerRef(reg, repo)]);
  return (JSON.parse(out) as { Tags: string[] }).Tags;
}

// Registry 2.8's filesystem driver rewrites link files in place (truncate + write), so two pushes
// of the same blob into one repository at once can make a concurrent HEAD read an empty link and
// answer 500. Pushes into the same repository are therefore queued.
const repoQueues = new Map<string, Promise<unknown>>();

/** `skopeo copy SRC docker://reg/ref` with the registry's credentials; resolves the pushed manifest digest. */
export function skopeoPush(
  reg: RunningRegistry, src: string, ref: string, extra: string[] = [], opts: CredsOption = {},
): Promise<string> {
  const key = `${reg.host}/${ref.replace(/[:@].*$/, "")}`;
  const prev = repoQueues.get(key) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(() => copyTo(reg, src, ref, extra, opts));
  repoQueues.set(key, next);
  void next.finally(() => { if (repoQueues.get(key) === next) repoQueues.delete(key); }).catch(() => undefined);
  return next;
}

async function copyTo(reg: RunningRegistry, src: string, ref: string, extra: string[], opts: CredsOption): Promise<string> {
  const digestFile = path.join(toolDir("digest"), "digest");
  await skopeo([
    "copy", "--quiet", "--dest-tls-verify=false", ...credsArgs(reg, "--dest-creds", opts.creds),
    "--digestfile", digestFile, ...extra, src, dockerRef(reg, ref),
  ]);
  const digest = fs.readFileSync(digestFile, "utf8").trim();
  fs.rmSync(path.dirname(digestFile), { recursive: true, force: true });
  return digest;
}
