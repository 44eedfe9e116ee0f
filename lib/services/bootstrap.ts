import "server-only";
// First start: with no users, create the admin from REGATTA_ADMIN_EMAIL / REGATTA_ADMIN_PASSWORD,
// or with a generated password that is printed once.
import { randomBytes } from "node:crypto";
import { appendAudit } from "@/lib/audit/log";
import { hashPassword, MIN_PASSWORD_LENGTH } from "@/lib/auth/password";
import { db } from "@/lib/db";

export async function ensureAdmin(print: (line: string) => void): Promise<void> {
  if ((await db.user.count()) > 0) return;
  const email = (process.env.REGATTA_ADMIN_EMAIL || "admin@regatta.local").trim().toLowerCase();
  const given = process.env.REGATTA_ADMIN_PASSWORD;
  if (given !== undefined && given.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`REGATTA_ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const password = given || randomBytes(12).toString("base64url");
  await db.user.create({ data: { email, role: "ADMIN", name: "Administrator", passwordHash: await hashPassword(password) } });
  await appendAudit({ actorKind: "SYSTEM", actor: "regatta", action: "user.create", outcome: "success", details: { user: email, role: "ADMIN", bootstrap: true } });
  if (given) {
    print(`Created the first admin ${email} with the password from REGATTA_ADMIN_PASSWORD.`);
  } else {
    print(`Created the first admin. Sign in with\n    email:    ${email}\n    password: ${password}\n  This password is shown only now: change it or add your own admin in Settings → Users.`);
  }
}
