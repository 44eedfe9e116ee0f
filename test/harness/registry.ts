// Start real CNCF distribution registries (Debian `docker-registry`, v2.8) on 127.0.0.1,
// one process, config, storage dir and log per instance.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { cleanEnv, freePort, makeTempDir, removeTempDir, requireCommand, run, spawnGuarded, type Guarded } from "./proc";
import { startTokenServer, type TokenLogEntry, type TokenServer } from "./token-server";

export type RegistryMode = "open" | "htpasswd" | "token";

export interface NotificationEndpoint {
  url: string;
  headers?: Record<string, string>;
  /** e.g. ["application/octet-stream"] to drop blob events */
  ignoredMediaTypes?: string[];
}

export interface StartRegistryOptions {
  mode: RegistryMode;
  name?: string;
  /** Default { alice: "alice-secret" }; the first user is exposed as username/password. */
  users?: Record<string, string>;
  tokenTtlSeconds?: number;
  /** Token mode: anonymous callers get pull (never push/delete). Default true. */
  anonymousPull?: boolean;
  notifications?: NotificationEndpoint | NotificationEndpoint[];
  deleteEnabled?: boolean;
  baseDir?: string;
}

export interface RunningTokenServer {
  /** The realm URL (GET ?service=&scope= with Basic credentials). */
  url: string;
  service: string;
  /** Number of requests the token server has answered (any outcome). */
  readonly requests: number;
  readonly log: TokenLogEntry[];
  /** Lifetime (exp - iat and expires_in) of tokens issued from now on. Note: registry 2.8 allows
   *  60 s of clock-skew leeway past `exp`, so a token stays usable up to ttl + 60 s. */
  setTtl(seconds: number): void;
  /** Invalidate every token issued so far: new signing key + registry restart (same port and data). */
  revokeAll(): Promise<void>;
}

export interface AccessLogEntry { method: string; path: string; status: number; userAgent: string }

export interface RunningRegistry {
  name: string;
  mode: RegistryMode;
  url: string;
  host: string;
  port: number;
  username?: string;
  password?: string;
  users: Record<string, string>;
  tokenServer?: RunningTokenServer;
  configPath: string;
  logPath: string;
  dataDir: string;
  /** Requests the registry answered so far, from its access log. */
  accessLog(): AccessLogEntry[];
  /** The access log after position `from`, once it has stopped growing (lines land just after the answer). */
  settledAccessLog(from?: number): Promise<AccessLogEntry[]>;
  /** Stop the process but keep config, port and storage, as a registry that went down; restart() brings it back. */
  halt(): Promise<void>;
  /** Restart the process with the same config, port and storage (in-memory state is lost). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

type Yaml = string | number | boolean | Yaml[] | { [k: string]: Yaml | undefined };

/** Block-style YAML for maps, JSON flow style for lists and strings (both valid YAML). */
export function toYaml(value: { [k: string]: Yaml | undefined }, indent = ""): string {
  let out = "";
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (typeof v === "object" && !Array.isArray(v)) out += `${indent}${k}:\n${toYaml(v, indent + "  ")}`;
    else out += `${indent}${k}: ${JSON.stringify(v)}\n`;
  }
  return out;
}

const ACCESS_RE = /^\S+ - \S+ \[[^\]]+\] "(\S+) (\S+) HTTP\/[\d.]+" (\d{3}) \S+ "[^"]*" "([^"]*)"$/;

export async function startRegistry(opts: StartRegistryOptions): Promise<RunningRegistry> {
  requireCommand("docker-registry");
  const mode = opts.mode;
  const name = opts.name ?? mode;
  const users = opts.users ?? { alice: "alice-secret" };
  const [username, password] = Object.entries(users)[0] ?? [];
  const dir = makeTempDir(`registry-${name.replace(/[^\w.-]/g, "_")}`, opts.baseDir);
  const dataDir = path.join(dir, "data");
  const configPath = path.join(dir, "config.yml");
  const logPath = path.join(dir, "registry.log");
  const certPath = path.join(dir, "token-cert.pem");
  fs.mkdirSync(dataDir);

  let auth: Yaml | undefined;
  let tokens: TokenServer | undefined;
  const service = `regatta-test-${name}`;
  if (mode === "htpasswd") {
    requireCommand("htpasswd");
    const lines = await Promise.all(Object.entries(users).map(([u, p]) => run("htpasswd", ["-Bbn", u, p])));
    const htpasswdPath = path.join(dir, "htpasswd");
    fs.writeFileSync(htpasswdPath, lines.map((l) => l.trim()).join("\n") + "\n");
    auth = { htpasswd: { realm: `regatta-test-${name}`, path: htpasswdPath } };
  } else if (mode === "token") {
    tokens = await startTokenServer({
      service, issuer: "regatta-test-issuer", users, ttlSeconds: opts.tokenTtlSeconds, anonymousPull: opts.anonymousPull,
    });
    fs.writeFileSync(certPath, tokens.key.certPem);
    auth = { token: { realm: tokens.url, service, issuer: "regatta-test-issuer", rootcertbundle: certPath } };
  }

  const endpoints = opts.notifications === undefined ? [] : [opts.notifications].flat();
  const notifications: Yaml | undefined = endpoints.length === 0 ? undefined : {
    endpoints: endpoints.map((e, i) => ({
      name: `endpoint-${i}`,
      url: e.url,
      // Header values MUST be lists: a plain string stops the registry from starting.
      headers: Object.fromEntries(Object.entries(e.headers ?? {}).map(([k, v]) => [k, [v]])),
      timeout: "2s",
      threshold: 5,
      backoff: "500ms",
      ...(e.ignoredMediaTypes ? { ignoredmediatypes: e.ignoredMediaTypes } : {}),
    })),
  };

  const writeConfig = (port: number) => fs.writeFileSync(configPath, toYaml({
    version: "0.1",
    log: { level: "info", formatter: "text", accesslog: { disabled: false }, fields: { instance: name } },
    storage: {
      filesystem: { rootdirectory: dataDir },
      delete: { enabled: opts.deleteEnabled ?? true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}`, secret: crypto.randomBytes(24).toString("hex") },
    health: { storagedriver: { enabled: false } },
    auth,
    notifications,
  }));

  let proc: Guarded | undefined;
  let port = 0;
  const launch = async (): Promise<void> => {
    proc = spawnGuarded("docker-registry", ["serve", configPath], logPath, cleanEnv());
    const exited = proc.exited.then(() => "exited" as const);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200 || res.status === 401) return;
      } catch { /* not listening yet */ }
      if ((await Promise.race([exited, sleep(50)])) === "exited") break;
    }
    await proc.stop();
    const tail = fs.readFileSync(logPath, "utf8").split("\n").slice(-15).join("\n");
    throw new Error(`registry ${name} did not become ready on port ${port}:\n${tail}`);
  };
  try {
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeConfig(port);
      try { await launch(); break; } catch (err) {
        // Another process may grab the free port before the registry binds it: retry.
        if (attempt >= 3 || !/address already in use/.test(String(err))) throw err;
      }
    }
  } catch (err) {
    await tokens?.stop();
    removeTempDir(dir);
    throw err;
  }

  let stopped = false;
  const restart = async () => { await proc?.stop(); await launch(); };
  const reg: RunningRegistry = {
    name, mode, port,
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    username: mode === "open" ? undefined : username,
    password: mode === "open" ? undefined : password,
    users, configPath, logPath, dataDir,
    accessLog: () => fs.readFileSync(logPath, "utf8").split("\n").flatMap((line) => {
      const m = ACCESS_RE.exec(line);
      return m ? [{ method: m[1], path: m[2], status: Number(m[3]), userAgent: m[4] }] : [];
    }),
    async settledAccessLog(from = 0) {
      let last = -1;
      for (let quiet = 0, i = 0; quiet < 3 && i < 100; i++) {
        await sleep(50);
        const n = reg.accessLog().length;
        quiet = n === last ? quiet + 1 : 0;
        last = n;
      }
      return reg.accessLog().slice(from);
    },
    restart,
    halt: async () => { await proc?.stop(); },
    async stop() {
      if (stopped) return;
      stopped = true;
      await proc?.stop();
      await tokens?.stop();
      removeTempDir(dir);
    },
  };
  if (tokens) {
    const ts = tokens;
    reg.tokenServer = {
      url: ts.url, service,
      get requests() { return ts.requests; },
      get log() { return ts.log; },
      setTtl: (s) => ts.setTtl(s),
      async revokeAll() {
        fs.writeFileSync(certPath, ts.rotateKey().certPem);
        await restart();
      },
    };
  }
  return reg;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
