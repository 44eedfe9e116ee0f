import "server-only";
// The public keys cosign signatures are verified with (Settings → Signing keys). Admin only;
// one audit event per change, also for a refused key.
import crypto from "node:crypto";
import { badRequest, conflict, forbidden, notFound } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { db } from "@/lib/db";
import { isId } from "@/lib/schemas/id";
import { signingKeySchema, type SigningKeyView } from "@/lib/schemas/signing";
import { KeyFormatError, parsePublicKey, type TrustedKey } from "@/lib/signing/cosign";

type Row = Awaited<ReturnType<typeof db.signingKey.findFirstOrThrow>>;

/** sha256 of the DER SubjectPublicKeyInfo, shown so people can compare keys without reading PEM. */
function fingerprint(pem: string): string {
  try {
    const der = crypto.createPublicKey(pem).export({ type: "spki", format: "der" });
    return `sha256:${crypto.createHash("sha256").update(der).digest("hex")}`;
  } catch {
    return "unreadable";
  }
}

export function toView(k: Row): SigningKeyView {
  return { id: k.id, name: k.name, algorithm: k.algorithm, fingerprint: fingerprint(k.publicKeyPem), createdBy: k.createdBy, createdAt: k.createdAt.toISOString() };
}

export async function listSigningKeys(): Promise<SigningKeyView[]> {
  return (await db.signingKey.findMany({ orderBy: { createdAt: "asc" } })).map(toView);
}

/** Every key, with its PEM: for verification on the server only. */
export async function trustedKeys(): Promise<TrustedKey[]> {
  return db.signingKey.findMany({ select: { id: true, name: true, publicKeyPem: true }, orderBy: { createdAt: "asc" } });
}

export async function createSigningKey(actor: Actor, body: unknown): Promise<SigningKeyView> {
  const audit = (outcome: "success" | "failure" | "denied", details: Record<string, unknown>) =>
    appendAudit({ actorKind: "USER", actor: actor.email, action: "signing-key.create", outcome, sourceAddress: actor.address, details });
  if (!hasRole(actor.role, "ADMIN")) {
    await audit("denied", { reason: "needs the ADMIN role" });
    throw forbidden("only admins manage signing keys");
  }
  const input = signingKeySchema.parse(body);
  let algorithm: string;
  try {
    algorithm = parsePublicKey(input.publicKeyPem).algorithm;
  } catch (e) {
    if (!(e instanceof KeyFormatError)) throw e;
    await audit("failure", { name: input.name, reason: e.message });
    throw badRequest(e.message);
  }
  const pem = input.publicKeyPem.trim() + "\n";
  if (await db.signingKey.findUnique({ where: { name: input.name } })) {
    await audit("failure", { name: input.name, reason: "name taken" });
    throw conflict(`a signing key named ${input.name} exists already`);
  }
  const row = await db.signingKey.create({ data: { name: input.name, publicKeyPem: pem, algorithm, createdBy: actor.email } });
  await audit("success", { id: row.id, name: row.name, algorithm, fingerprint: fingerprint(pem) });
  return toView(row);
}

export async function deleteSigningKey(actor: Actor, id: string): Promise<void> {
  if (!hasRole(actor.role, "ADMIN")) {
    await appendAudit({ actorKind: "USER", actor: actor.email, action: "signing-key.delete", outcome: "denied", sourceAddress: actor.address, details: { id } });
    throw forbidden("only admins manage signing keys");
  }
  const row = isId(id) ? await db.signingKey.findUnique({ where: { id } }) : null;
  if (!row) throw notFound(`signing key ${id}`);
  await db.signingKey.delete({ where: { id } });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "signing-key.delete", outcome: "success", sourceAddress: actor.address, details: { id, name: row.name, fingerprint: fingerprint(row.publicKeyPem) } });
}
