#!/usr/bin/env node
// regatta: the one-line CI client of Regatta's API. Plain Node (>= 20, global fetch), no dependencies.
//   REGATTA_URL=https://regatta.example.com REGATTA_TOKEN=rgt_… regatta promote staging/acme/api:1.4.2 prod/acme/api:1.4.2 --wait
// References are <registry name>/<repository>[:tag][@digest]; names resolve through GET /api/v1/registries.
// Exit codes: 0 ok · 1 failed (promotion failed, registry or server error, network) · 2 usage (bad
// arguments, missing environment, input the server calls invalid) · 3 refused or not found (401, 403,
// 404, 409) · 4 --wait gave up (--timeout).
import process from "node:process";

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, REFUSED: 3, TIMEOUT: 4 };

const USAGE = `usage: regatta <command> [options]

  promote <source> <target> [--wait] [--overwrite] [--confirm-publish] [--dry-run] [--timeout <seconds>]
      source: <registry>/<repository>:<tag> or <registry>/<repository>@<digest>
      target: <registry>/<repository>:<tag>
      --confirm-publish: copy a private or unknown-visibility image into a public repository
  tags <registry>/<repository>
  diff <from> <to>                 what changes from one reference to the other
  who-pushed <registry>/<repository>:<tag>
  registries                       the registry names this token can use

  --json        print the API's answer as JSON
  -h, --help    this text

environment: REGATTA_URL (e.g. https://regatta.example.com), REGATTA_TOKEN (Settings → API tokens)
exit codes: 0 ok, 1 failed, 2 usage, 3 refused or not found, 4 timed out waiting`;

/** The largest API answer read (a tag list of a very large repository fits). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 60_000;
/** --wait: each GET waits up to this long (s) on the server for the promotion to finish (it answers at
 *  once when it does: no polling gap), then the bar moves. */
const WAIT_STEP = 1;

class CliError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function parseArgs(argv) {
  const flags = { wait: false, overwrite: false, confirmPublish: false, dryRun: false, json: false, help: false, timeout: 1800 };
  const args = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--wait") flags.wait = true;
    else if (a === "--overwrite") flags.overwrite = true;
    else if (a === "--dry-run") flags.dryRun = true;
    else if (a === "--confirm-publish") flags.confirmPublish = true;
    else if (a === "--json") flags.json = true;
    else if (a === "-h" || a === "--help") flags.help = true;
    else if (a === "--timeout" || a.startsWith("--timeout=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (!v || !/^\d+$/.test(v) || Number(v) < 1) throw new CliError(EXIT.USAGE, "--timeout takes a number of seconds");
      flags.timeout = Number(v);
    } else if (a.startsWith("-")) throw new CliError(EXIT.USAGE, `unknown option ${a}`);
    else args.push(a);
  }
  return { command: args[0], args: args.slice(1), flags };
}

function apiBase(env) {
  const url = env.REGATTA_URL;
  const token = env.REGATTA_TOKEN;
  if (!url) throw new CliError(EXIT.USAGE, "REGATTA_URL is not set (e.g. https://regatta.example.com)");
  if (!token) throw new CliError(EXIT.USAGE, "REGATTA_TOKEN is not set (make one in Regatta: Settings → API tokens)");
  let u;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(EXIT.USAGE, "REGATTA_URL is not a URL");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new CliError(EXIT.USAGE, "REGATTA_URL must be an http(s) URL");
  if (u.username || u.password) throw new CliError(EXIT.USAGE, "REGATTA_URL must not carry credentials; use REGATTA_TOKEN");
  const base = `${u.origin}${u.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/, "")}/api/v1`;
  return { base, token };
}

async function readBounded(res) {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const parts = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => {});
      throw new CliError(EXIT.FAILED, `the answer from Regatta is larger than ${MAX_ANSWER_BYTES} bytes`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString("utf8");
}

function exitFor(status) {
  if (status === 400 || status === 422) return EXIT.USAGE;
  if (status === 401 || status === 403 || status === 404 || status === 409) return EXIT.REFUSED;
  return EXIT.FAILED;
}

function client(env) {
  const { base, token } = apiBase(env);
  return async function api(method, path, body) {
    let res;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        redirect: "error", // the token goes to REGATTA_URL's origin only
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      throw new CliError(EXIT.FAILED, `cannot reach Regatta at ${new URL(base).origin}: ${e?.cause?.code ?? e?.cause?.errors?.[0]?.code ?? e?.message ?? e}`);
    }
    const text = await readBounded(res);
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const message = json?.error?.message ?? `HTTP ${res.status}`;
      const err = new CliError(exitFor(res.status), `${message} (${res.status}${json?.error?.code ? ` ${json.error.code}` : ""})`);
      err.details = json?.error?.details;
      throw err;
    }
    return { status: res.status, json };
  };
}

/** <registry>/<repository>[:tag][@digest], the registry being the longest known name that prefixes it. */
export function splitReference(s, names, { needTag = false, needReference = true } = {}) {
  const name = [...names].sort((a, b) => b.length - a.length).find((n) => s.startsWith(`${n}/`));
  if (!name) {
    const first = s.split("/")[0];
    throw new CliError(EXIT.REFUSED, `no registry named "${first}" (known: ${[...names].join(", ") || "none"})`);
  }
  let rest = s.slice(name.length + 1);
  let digest;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!rest) throw new CliError(EXIT.USAGE, `${s}: no repository after the registry name`);
  if (needTag && !tag) throw new CliError(EXIT.USAGE, `${s}: a tag is needed (…:<tag>)`);
  if (needReference && !tag && !digest) throw new CliError(EXIT.USAGE, `${s}: a tag or digest is needed (…:<tag> or …@sha256:…)`);
  return { registry: name, repository: rest, tag, digest, reference: digest ?? tag };
}

async function registries(api) {
  const { json } = await api("GET", "/registries");
  return new Map((json?.registries ?? []).map((r) => [r.name, r.id]));
}

function human(bytes) {
  if (!Number.isFinite(bytes) || bytes <= 0) return "0 B";
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  const i = Math.min(u.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  return `${(bytes / 1024 ** i).toFixed(i ? 1 : 0)} ${u[i]}`;
}

/** A line updated in place on a terminal; plain lines, only when something changed, otherwise. */
function progress(stream) {
  let last = "";
  return {
    update(line) {
      if (line === last) return;
      last = line;
      if (stream.isTTY) stream.write(`\r\x1b[K${clean(line)}`);
      else stream.write(`${clean(line)}\n`);
    },
    done() {
      if (stream.isTTY && last) stream.write("\n");
    },
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function promote(api, args, flags, io) {
  if (args.length !== 2) throw new CliError(EXIT.USAGE, "promote takes a source and a target");
  const names = await registries(api);
  const src = splitReference(args[0], names.keys());
  const dst = splitReference(args[1], names.keys(), { needTag: true });
  if (dst.digest) throw new CliError(EXIT.USAGE, `${args[1]}: the target is a tag, not a digest`);
  const body = {
    source: { registryId: names.get(src.registry), repository: src.repository, reference: src.reference },
    target: { registryId: names.get(dst.registry), repository: dst.repository, tag: dst.tag },
    ...(flags.overwrite ? { overwrite: true } : {}),
    ...(flags.confirmPublish ? { confirmPublish: true } : {}),
    ...(flags.dryRun ? { dryRun: true } : {}),
  };
  let answer;
  try {
    answer = (await api("POST", "/promotions", body)).json;
  } catch (e) {
    if (e.details?.confirm === "confirmPublish") e.message += `\n  pass --confirm-publish to publish it`;
    if (e.details?.currentDigest) e.message += `\n  ${args[1]} is at ${e.details.currentDigest}; pass --overwrite to move it to ${e.details.newDigest ?? "the source"}`;
    throw e;
  }
  if (flags.dryRun) {
    io.out(flags.json ? JSON.stringify(answer, null, 2) : JSON.stringify(answer.plan ?? answer, null, 2));
    return EXIT.OK;
  }
  const bar = progress(io.err);
  const deadline = Date.now() + flags.timeout * 1000;
  let p = answer;
  if (flags.wait) {
    while (p.state === "queued" || p.state === "running") {
      const pct = p.bytesTotal > 0 ? ` ${Math.floor((100 * p.bytesDone) / p.bytesTotal)}% (${human(p.bytesDone)} of ${human(p.bytesTotal)})` : "";
      bar.update(`${p.state} ${args[0]} → ${args[1]}${pct}`);
      if (Date.now() > deadline) {
        bar.done();
        io.errLine(`regatta: gave up waiting after ${flags.timeout} s; promotion ${p.id} is still ${p.state}`);
        return EXIT.TIMEOUT;
      }
      const asked = Date.now();
      p = (await api("GET", `/promotions/${encodeURIComponent(p.id)}?wait=${WAIT_STEP}`)).json;
      // a server that did not wait (an older one) is not asked again at once
      if ((p.state === "queued" || p.state === "running") && Date.now() - asked < 500) await sleep(WAIT_STEP * 1000 - (Date.now() - asked));
    }
    bar.done();
  }
  if (flags.json) io.out(JSON.stringify(p, null, 2));
  if (p.state === "failed") {
    io.errLine(`regatta: promotion ${p.id} failed: ${p.error ?? "no reason given"}`);
    return EXIT.FAILED;
  }
  if (!flags.json) {
    if (p.state === "succeeded") io.out(`promoted ${args[0]} → ${args[1]} ${p.digest ?? ""}`.trim());
    else io.out(`promotion ${p.id} ${p.state} (regatta promote … --wait waits for it)`);
  }
  return EXIT.OK;
}

async function tags(api, args, flags, io) {
  if (args.length !== 1) throw new CliError(EXIT.USAGE, "tags takes <registry>/<repository>");
  const names = await registries(api);
  const r = splitReference(args[0], names.keys(), { needReference: false });
  const { json } = await api("GET", `/registries/${encodeURIComponent(names.get(r.registry))}/tags?${new URLSearchParams({ repository: r.repository })}`);
  if (flags.json) io.out(JSON.stringify(json, null, 2));
  else for (const t of json.tags ?? []) io.out(t.digest ? `${t.name}\t${t.digest}` : t.name);
  return EXIT.OK;
}

async function whoPushed(api, args, flags, io) {
  if (args.length !== 1) throw new CliError(EXIT.USAGE, "who-pushed takes <registry>/<repository>:<tag>");
  const names = await registries(api);
  const r = splitReference(args[0], names.keys(), { needTag: true });
  const { json } = await api("GET", `/registries/${encodeURIComponent(names.get(r.registry))}/tag-history?${new URLSearchParams({ repository: r.repository, tag: r.tag })}`);
  if (flags.json) io.out(JSON.stringify(json, null, 2));
  else if (!json.changes?.length) io.out(`no pushes of ${args[0]} known to Regatta`);
  else for (const c of json.changes) io.out(`${c.at}\t${c.actor ?? "unknown"}\t${c.source}\t${c.digest}`);
  return EXIT.OK;
}

async function diff(api, args, flags, io) {
  if (args.length !== 2) throw new CliError(EXIT.USAGE, "diff takes two references");
  const names = await registries(api);
  const [a, b] = args.map((s) => splitReference(s, names.keys()));
  const side = (r) => `${names.get(r.registry)}:${r.repository}:${r.reference}`;
  const { json: d } = await api("GET", `/diff?${new URLSearchParams({ from: side(a), to: side(b) })}`);
  if (flags.json) {
    io.out(JSON.stringify(d, null, 2));
    return EXIT.OK;
  }
  const at = (x) => (x.platform ? ` [${x.platform}]` : "");
  io.out(`from ${args[0]} ${d.from.digest}`);
  io.out(`to   ${args[1]} ${d.to.digest}`);
  io.out(`size ${human(d.size.from)} → ${human(d.size.to)}`);
  for (const p of d.platforms.added) io.out(`+ platform ${p}`);
  for (const p of d.platforms.removed) io.out(`- platform ${p}`);
  for (const c of d.config.changed) io.out(`~ ${c.key}${at(c)}: ${c.from ?? "(none)"} → ${c.to ?? "(none)"}`);
  for (const l of d.layers.removed) io.out(`- layer ${l.digest} ${human(l.size)}${at(l)}${l.createdBy ? `  ${l.createdBy}` : ""}`);
  for (const l of d.layers.added) io.out(`+ layer ${l.digest} ${human(l.size)}${at(l)}${l.createdBy ? `  ${l.createdBy}` : ""}`);
  io.out(`${d.layers.shared.length} layer(s) shared`);
  return EXIT.OK;
}

async function listRegistries(api, _args, flags, io) {
  const { json } = await api("GET", "/registries");
  if (flags.json) io.out(JSON.stringify(json, null, 2));
  else for (const r of json.registries ?? []) io.out(`${r.name}\t${r.kind}\t${r.endpoint}`);
  return EXIT.OK;
}

const COMMANDS = { promote, tags, diff, "who-pushed": whoPushed, registries: listRegistries };

export async function main(argv, env = process.env, io = defaultIo()) {
  try {
    const { command, args, flags } = parseArgs(argv);
    if (flags.help || !command) {
      (flags.help ? io.out : io.errLine)(USAGE);
      return flags.help ? EXIT.OK : EXIT.USAGE;
    }
    const run = COMMANDS[command];
    if (!run) throw new CliError(EXIT.USAGE, `unknown command ${command}\n\n${USAGE}`);
    return await run(client(env), args, flags, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.errLine(`regatta: ${e.message}`);
      return e.code;
    }
    io.errLine(`regatta: ${e?.message ?? e}`);
    return EXIT.FAILED;
  }
}

/** Control characters out (a registry's message or an image's env could carry terminal escapes); tabs and newlines stay. */
export function clean(line) {
  return String(line).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "\uFFFD");
}

function defaultIo() {
  return {
    out: (line) => process.stdout.write(`${clean(line)}\n`),
    errLine: (line) => process.stderr.write(`${clean(line)}\n`),
    err: process.stderr,
  };
}

// run when executed (also through npm's bin link), not when imported by a test
const invoked = process.argv[1] && (await import("node:fs")).realpathSync(process.argv[1]);
if (invoked && invoked === (await import("node:url")).fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
