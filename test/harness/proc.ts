// Process and temp-dir plumbing shared by the harness: guarded child processes
// (killed on stop(), on process exit, and when this Node process dies even by SIGKILL),
// command runner, free loopback ports, temp dirs removed at exit.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../..");
/** Default parent of every harness temp dir (gitignored). */
export const DEFAULT_BASE_DIR = path.join(repoRoot, ".test-data", "harness");

const liveGroups = new Set<number>();
const tempDirs = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const pgid of liveGroups) {
      try { process.kill(-pgid, "SIGKILL"); } catch { /* already gone */ }
    }
    for (const dir of keep() ? [] : tempDirs) {
      try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
    }
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    // Only turn the signal into exit() when nobody else handles it (e.g. serve.ts does).
    process.once(sig, () => { if (process.listenerCount(sig) === 0) process.exit(130); });
  }
}

/** Make a temp dir under baseDir (created if needed); removed on process exit unless kept. */
export function makeTempDir(prefix: string, baseDir = DEFAULT_BASE_DIR): string {
  hookExit();
  fs.mkdirSync(baseDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(baseDir, `${prefix}-`));
  fs.chmodSync(dir, 0o755);
  tempDirs.add(dir);
  return dir;
}

/** Set REGATTA_HARNESS_KEEP=1 to keep temp dirs (configs, logs, storage) for debugging. */
const keep = () => process.env.REGATTA_HARNESS_KEEP === "1";

export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  if (!keep()) fs.rmSync(dir, { recursive: true, force: true });
}

/** A free TCP port on 127.0.0.1 (listen on port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// The wrapper runs the command in the background and kills it as soon as its stdin (a pipe
// from this Node process) reaches EOF, i.e. when Node exits or is killed.
const GUARD = `exec 3<&0
"$@" </dev/null &
c=$!
{ cat <&3 >/dev/null; kill -TERM "$c" 2>/dev/null; } &
w=$!
wait "$c"; rc=$?
kill "$w" 2>/dev/null
exit $rc`;

export interface Guarded {
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Spawn a long-running command in its own process group, stdout+stderr appended to logPath. */
export function spawnGuarded(cmd: string, args: string[], logPath: string, env: NodeJS.ProcessEnv): Guarded {
  hookExit();
  const logFd = fs.openSync(logPath, "a");
  const child = spawn("/bin/sh", ["-c", GUARD, "guard", cmd, ...args], {
    detached: true,
    stdio: ["pipe", logFd, logFd],
    env,
  });
  fs.closeSync(logFd);
  // Do not keep Node alive just for the registry: exit handlers (and the guard) clean up.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const pgid = child.pid!;
  liveGroups.add(pgid);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => { liveGroups.delete(pgid); resolve(code); });
  });
  const stop = async (): Promise<void> => {
    if (!liveGroups.has(pgid)) return;
    try { process.kill(-pgid, "SIGTERM"); } catch { /* gone */ }
    const t = setTimeout(() => { try { process.kill(-pgid, "SIGKILL"); } catch { /* gone */ } }, 3000);
    await exited;
    clearTimeout(t);
    child.stdin?.destroy();
  };
  return { child, exited, stop };
}

export interface RunOptions extends Pick<SpawnOptions, "cwd" | "env" | "uid" | "gid"> {
  input?: string | Buffer;
}

/** Run a command to completion; resolves stdout, rejects with stderr on non-zero exit. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const { input, ...spawnOpts } = opts;
    const child = spawn(cmd, args, { ...spawnOpts, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (b: Buffer) => out.push(b));
    child.stderr!.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
      const msg = Buffer.concat(err).toString("utf8").trim();
      reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${msg}`));
    });
    if (input !== undefined) {
      child.stdin!.on("error", () => { /* reported through exit code */ });
      child.stdin!.end(input);
    }
  });
}

/** Environment for children without REGISTRY_* overrides inherited from the caller's shell/CI. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("REGISTRY_")) env[k] = v;
  return { ...env, ...extra } as NodeJS.ProcessEnv;
}

export function requireCommand(cmd: string): void {
  const dirs = (process.env.PATH ?? "/usr/bin:/bin").split(":");
  if (!dirs.some((d) => fs.existsSync(path.join(d, cmd)))) {
    throw new Error(`'${cmd}' not found on PATH; run scripts/ensure-system-deps.sh`);
  }
}
