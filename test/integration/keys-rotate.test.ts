// `npm run keys:rotate` on a key file, against the test database, while "the app" (this process)
// keeps reading credentials through the same code path it uses for registry calls.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import { appendAudit } from "@/lib/audit/log";
import { checkpointFile } from "@/lib/audit/checkpoint";
import { auditKeysFile } from "@/lib/audit/keys";
import { verifyAuditChain } from "@/lib/audit/verify";
import { db } from "@/lib/db";
import { resetKeyringCache } from "@/lib/secrets/envelope";
import { registryConnection } from "@/lib/services/registries";
import { call, clearAuditLog, userWithToken } from "../support/api";
import { testDatabaseUrl } from "../support/workers";

const dir = path.resolve(".test-data/keys-rotate");
const keyFile = path.join(dir, "master.key");
const savedKey = process.env.REGATTA_MASTER_KEY;

afterAll(() => {
  process.env.REGATTA_MASTER_KEY = savedKey;
  delete process.env.REGATTA_MASTER_KEY_FILE;
  resetKeyringCache();
});

function keyIds(): string[] {
  return fs.readFileSync(keyFile, "utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(" ")[0]);
}

describe("npm run keys:rotate", () => {
  it("re-encrypts every credential under a new key, and a running app keeps reading them", async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    delete process.env.REGATTA_MASTER_KEY;
    process.env.REGATTA_MASTER_KEY_FILE = keyFile;
    const { loadKeyring } = await import("@/lib/secrets/keyring");
    const first = loadKeyring({ create: true }).active.id;
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    resetKeyringCache();

    // rows sealed under other keys (earlier tests) are not this test's: clear them
    await db.registry.deleteMany({});
    // the audit chain: events keyed under the first key must keep verifying after it is dropped
    await clearAuditLog();
    fs.rmSync(checkpointFile(), { force: true });
    fs.rmSync(auditKeysFile(), { force: true });
    const { token } = await userWithToken("ADMIN");
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const r = await call(collection.POST, { token, method: "POST", body: { name: `rot-${n}`, kind: "GENERIC", endpoint: "https://r.example.com", credentials: { username: `u${n}`, password: `secret-${n}-xyz` } } });
      ids.push(r.json.id);
    }
    expect(new Set((await db.registry.findMany({ select: { credentialsKeyId: true } })).map((r) => r.credentialsKeyId))).toEqual(new Set([first]));

    const out = execFileSync("npx", ["tsx", "--conditions=react-server", "scripts/keys-rotate.ts"], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), REGATTA_MASTER_KEY_FILE: keyFile },
      encoding: "utf8",
    });
    expect(out).toContain("re-encrypted 3 registries");
    const [second] = keyIds();
    expect(second).not.toBe(first);
    expect(keyIds()).toEqual([second]);
    const rows = await db.registry.findMany({ select: { credentialsKeyId: true } });
    expect(rows.every((r) => r.credentialsKeyId === second)).toBe(true);

    await appendAudit({ actorKind: "SYSTEM", actor: "regatta", action: "test.after-rotation", outcome: "success" });
    const chain = await verifyAuditChain();
    expect(chain).toMatchObject({ intact: true, legacy: 0, checkpoint: { state: "reached" } });
    expect(chain.keyed).toBeGreaterThanOrEqual(4); // three registry.create under the first key, one after
    expect(fs.readFileSync(auditKeysFile(), "utf8")).toContain(first);

    // this process still has only the old key in memory: it reads the file again on the new id
    for (const [i, id] of ids.entries()) {
      expect((await registryConnection(id)).credentials).toEqual({ username: `u${i + 1}`, password: `secret-${i + 1}-xyz` });
    }
  });
});
