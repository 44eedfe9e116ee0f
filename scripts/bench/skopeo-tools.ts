// skopeo as the benchmark runs it: through the harness (its own HOME, policy and, as root, the
// nobody user), timed from spawn to exit like a user at a shell would see it.
import fs from "node:fs";
import path from "node:path";
import { credsArgs, skopeo, tool, toolDir, tools, type RunningRegistry } from "../../test/harness";
import { timed } from "./measure";

/**
 * As root the harness runs skopeo as nobody with XDG_DATA_HOME=<tools>/home/.local/share, but it
 * creates <tools>/home/.local with mkdirSync({ recursive: true }) and chowns only the leaf, so
 * nobody cannot enter it and `skopeo copy docker://… docker://…` dies with "reading signatures:
 * … permission denied". Hand the directory to the tool user so skopeo works as it would for a user.
 */
export function prepareSkopeo(): void {
  const t = tools();
  if (t.opts.uid === undefined) return;
  const local = path.join(t.dir, "home", ".local");
  if (fs.existsSync(local) && fs.statSync(local).uid !== t.opts.uid) fs.chownSync(local, t.opts.uid, t.opts.gid!);
}

/**
 * skopeo remembers where it saw each blob (blob-info cache) and mounts from there next time. For
 * a cross-registry copy into a fresh repository that would turn the second run into a mount, so
 * the copy benchmark forgets it before every skopeo run.
 */
export function forgetSkopeoBlobLocations(): void {
  fs.rmSync(path.join(tools().dir, "home", ".local", "share", "containers", "cache"), { recursive: true, force: true });
}

const tls = ["--src-tls-verify=false", "--dest-tls-verify=false"];

export function skopeoCopyArgs(src: RunningRegistry, srcRef: string, dst: RunningRegistry, dstRef: string): string[] {
  return [
    "copy", "--quiet", ...tls, ...credsArgs(src, "--src-creds"), ...credsArgs(dst, "--dest-creds"),
    `docker://${src.host}/${srcRef}`, `docker://${dst.host}/${dstRef}`,
  ];
}

/** Wall time of one skopeo invocation (process start included). */
export async function timedSkopeo(args: string[]): Promise<number> {
  return (await timed(() => skopeo(args))).ms;
}

export interface TimeV {
  wallMs: number;
  maxRssKiB: number;
  userS: number;
  sysS: number;
}

/** skopeo under /usr/bin/time -v (GNU time): wall time from here, max RSS and CPU from time. */
export async function timedSkopeoWithRusage(args: string[]): Promise<TimeV> {
  const dir = toolDir("time");
  const out = path.join(dir, "time.txt");
  const { ms } = await timed(() => tool("time", ["-v", "-o", out, "skopeo", "--policy", tools().policyPath, ...args]));
  const text = fs.readFileSync(out, "utf8");
  fs.rmSync(dir, { recursive: true, force: true });
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    wallMs: ms,
    maxRssKiB: num(/Maximum resident set size \(kbytes\): (\d+)/),
    userS: num(/User time \(seconds\): ([\d.]+)/),
    sysS: num(/System time \(seconds\): ([\d.]+)/),
  };
}

export function hasGnuTime(): boolean {
  return fs.existsSync("/usr/bin/time");
}
