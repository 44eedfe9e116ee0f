import "server-only";
// The one writer of tag history: every TagRecord (a tag's last known digest) and TagChange (each
// move, with its source) is written here, whoever saw the change: a promotion or delete by Regatta,
// a look (the tag table, the sync), a vendor's listing, a registry's webhook. Reads of the history too.
import type { ChainExtension } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { forgetTagList } from "./browse";
import type { WebhookEvent } from "@/lib/providers/webhooks";

export async function tagHistory(registryId: string, repository: string, tag: string) {
  const rows = await db.tagChange.findMany({ where: { registryId, repository, tag }, orderBy: { at: "desc" }, take: 100 });
  return rows.map((r) => ({ id: r.id.toString(), at: r.at.toISOString(), digest: r.digest, previousDigest: r.previousDigest, source: r.source.toLowerCase(), actor: r.actor }));
}

export interface SeenTag { tag: string; digest: string }
export interface RecordedTags {
  at: Date;
  /** tags Regatta had no row for */
  fresh: SeenTag[];
  /** tags whose digest changed, with the digest before and when it was last checked */
  moved: (SeenTag & { previousDigest: string; previousCheckedAt: Date })[];
}

/**
 * Upsert TagRecord: checkedAt always, digest and changedAt (plus a TagChange, source SYNC) when
 * the tag moved. Browsing and the sync job both record through here; the answer says what changed.
 */
export async function recordTags(registryId: string, repository: string, seen: SeenTag[]): Promise<RecordedTags> {
  const now = new Date();
  if (!seen.length) return { at: now, fresh: [], moved: [] };
  // each tag once (its last digest seen): one statement may not write a row twice
  const byTag = new Map(seen.map((s) => [s.tag, s.digest]));
  const at = now.toISOString();
  // One statement, one round trip: the rows as they were, the upsert, and a TagChange for each tag
  // new or moved. (It was a read and a transaction of four writes: seven round trips per table
  // batch, and Prisma building each row's objects, the most allocation of a cold table's fill.)
  const changed = await db.$queryRaw<{ tag: string; digest: string; previousDigest: string | null; previousCheckedAtMs: bigint | null }[]>`
    WITH seen AS (
      SELECT * FROM unnest(${[...byTag.keys()]}::text[], ${[...byTag.values()]}::text[]) WITH ORDINALITY AS s(tag, digest, n)
    ), changed AS (
      SELECT s.tag, s.digest, s.n, r."digest" AS "previousDigest", floor(extract(epoch from r."checkedAt") * 1000)::int8 AS "previousCheckedAtMs"
      FROM seen s LEFT JOIN "TagRecord" r ON r."registryId" = ${registryId}::uuid AND r."repository" = ${repository} AND r."tag" = s.tag
      WHERE r."tag" IS NULL OR r."digest" <> s.digest
    ), upsert AS (
      INSERT INTO "TagRecord" ("registryId", "repository", "tag", "digest", "firstSeenAt", "changedAt", "checkedAt")
      SELECT ${registryId}::uuid, ${repository}, s.tag, s.digest, ${at}::timestamp(3), ${at}::timestamp(3), ${at}::timestamp(3) FROM seen s
      ON CONFLICT ("registryId", "repository", "tag") DO UPDATE SET "digest" = EXCLUDED."digest", "checkedAt" = EXCLUDED."checkedAt",
        "changedAt" = CASE WHEN "TagRecord"."digest" = EXCLUDED."digest" THEN "TagRecord"."changedAt" ELSE EXCLUDED."changedAt" END
    ), history AS (
      INSERT INTO "TagChange" ("registryId", "repository", "tag", "digest", "previousDigest", "at", "source")
      SELECT ${registryId}::uuid, ${repository}, c.tag, c.digest, c."previousDigest", ${at}::timestamp(3), 'SYNC'::"TagChangeSource"
      FROM changed c ORDER BY c.n
    )
    SELECT "tag", "digest", "previousDigest", "previousCheckedAtMs" FROM changed ORDER BY n`;
  return {
    at: now,
    fresh: changed.filter((c) => c.previousDigest === null).map(({ tag, digest }) => ({ tag, digest })),
    moved: changed.filter((c) => c.previousDigest !== null).map((c) => ({ tag: c.tag, digest: c.digest, previousDigest: c.previousDigest!, previousCheckedAt: new Date(Number(c.previousCheckedAtMs)) })),
  };
}

/** A promotion moved the tag: its last known digest, who pushed it, and its history (source REGATTA). */
export async function recordPromotedTag(registryId: string, repository: string, tag: string, digest: string, actor: string) {
  forgetTagList(registryId, repository);
  const at = new Date().toISOString();
  // One statement, as recordTags: the row as it was, the upsert and the TagChange, nothing when the
  // tag already names the digest. (It was a read and two writes, each its own commit, on the path of
  // a caller waiting for the promotion's answer.)
  await db.$executeRaw`
    WITH prev AS (
      SELECT "digest" FROM "TagRecord" WHERE "registryId" = ${registryId}::uuid AND "repository" = ${repository} AND "tag" = ${tag}
    ), moved AS (
      SELECT (SELECT "digest" FROM prev) AS "previousDigest" WHERE NOT EXISTS (SELECT 1 FROM prev WHERE "digest" = ${digest})
    ), upsert AS (
      INSERT INTO "TagRecord" ("registryId", "repository", "tag", "digest", "firstSeenAt", "changedAt", "checkedAt", "pushedAt", "pushedBy")
      SELECT ${registryId}::uuid, ${repository}, ${tag}, ${digest}, ${at}::timestamp(3), ${at}::timestamp(3), ${at}::timestamp(3), ${at}::timestamp(3), ${actor} FROM moved
      ON CONFLICT ("registryId", "repository", "tag") DO UPDATE SET "digest" = EXCLUDED."digest", "changedAt" = EXCLUDED."changedAt",
        "checkedAt" = EXCLUDED."checkedAt", "pushedAt" = EXCLUDED."pushedAt", "pushedBy" = EXCLUDED."pushedBy"
    )
    INSERT INTO "TagChange" ("registryId", "repository", "tag", "digest", "previousDigest", "at", "source", "actor")
    SELECT ${registryId}::uuid, ${repository}, ${tag}, ${digest}, m."previousDigest", ${at}::timestamp(3), 'REGATTA'::"TagChangeSource", ${actor} FROM moved m`;
}

/** Pushed at / by as the vendor reports them, onto the TagRecord rows of this batch (no history: the digest stays). */
export async function recordVendorPushes(registryId: string, repository: string, updates: { tag: string; pushedAt?: string | null; pushedBy?: string | null }[]) {
  if (!updates.length) return;
  await db.$transaction(
    updates.map((m) =>
      db.tagRecord.updateMany({
        where: { registryId, repository, tag: m.tag },
        data: { ...(m.pushedAt ? { pushedAt: new Date(m.pushedAt) } : {}), ...(m.pushedBy ? { pushedBy: m.pushedBy } : {}) },
      }),
    ),
  );
}

/** Regatta deleted these tags (all on `digest`): a TagChange with digest null each, then the rows go. */
export async function recordDeletedTags(registryId: string, repository: string, tags: string[], digest: string, actor: string) {
  const now = new Date();
  forgetTagList(registryId, repository);
  await db.tagChange.createMany({ data: tags.map((t) => ({ registryId, repository, tag: t, digest: null, previousDigest: digest, at: now, source: "REGATTA" as const, actor })) });
  await db.tagRecord.deleteMany({ where: { registryId, repository, tag: { in: tags } } });
}

/**
 * TagRecords of a repository the registry no longer lists, and nobody has seen since the list
 * was asked for: a TagChange with digest null, then the row goes.
 */
export async function removeGoneTags(registryId: string, repository: string, present: Set<string>, listedAt: Date) {
  const rows = await db.tagRecord.findMany({ where: { registryId, repository, checkedAt: { lt: listedAt } }, select: { tag: true, digest: true, checkedAt: true } });
  const gone = rows.filter((r) => !present.has(r.tag));
  if (!gone.length) return [];
  const at = new Date();
  await db.$transaction([
    db.tagRecord.deleteMany({ where: { registryId, repository, tag: { in: gone.map((r) => r.tag) }, checkedAt: { lt: listedAt } } }),
    db.tagChange.createMany({ data: gone.map((r) => ({ registryId, repository, tag: r.tag, digest: null, previousDigest: r.digest, at, source: "SYNC" as const })) }),
  ]);
  return gone.map((r) => ({ ...r, at }));
}

interface TagState { digest: string; firstSeenAt: Date; changedAt: Date; checkedAt: Date; pushedAt: Date | null; pushedBy: string | null }
interface TagChangeRow { registryId: string; repository: string; tag: string; digest: string | null; previousDigest: string | null; at: Date; actor: string | null }

/**
 * Tag history from the new events of a batch, in chain order: a push moves the tag (TagRecord +
 * TagChange), a tag delete removes it; each event's previousDigest is the tag's digest before it.
 * One read of the batch's tags and one write statement, whatever the batch's size.
 */
export const recordEventTags: ChainExtension<WebhookEvent> = async (tx, entries) => {
  const id = (registryId: string, repository: string, tag: string) => JSON.stringify([registryId, repository, tag]);
  // a delete of a whole artifact (Harbor, ECR and Google by digest) removes every tag Regatta knows on that digest
  const whole = entries.filter((e) => e.meta.action === "delete" && e.meta.wholeArtifact && e.meta.digest);
  const onDigest = new Map<string, string[]>();
  if (whole.length > 0) {
    const rows = await tx.$queryRaw<{ registryId: string; repository: string; digest: string; tag: string }[]>`
      SELECT r."registryId", r."repository", r."digest", r."tag" FROM "TagRecord" r
      JOIN unnest(${whole.map((w) => w.input.registryId!)}::uuid[], ${whole.map((w) => w.meta.repository)}::text[], ${whole.map((w) => w.meta.digest!)}::text[]) AS k(reg, repo, digest)
        ON r."registryId" = k.reg AND r."repository" = k.repo AND r."digest" = k.digest
      ORDER BY r."tag"`;
    for (const r of rows) {
      const k = JSON.stringify([r.registryId, r.repository, r.digest]);
      onDigest.set(k, [...(onDigest.get(k) ?? []), r.tag]);
    }
  }
  // one step per (event, tag): the tag the event names first (its audit row's previousDigest), then the others it removes
  const steps = entries.flatMap((e) => {
    const named = e.meta.tag ? [{ e, tag: e.meta.tag, own: true }] : [];
    const more = e.meta.wholeArtifact && e.meta.digest
      ? (onDigest.get(JSON.stringify([e.input.registryId, e.meta.repository, e.meta.digest])) ?? []).filter((t) => t !== e.meta.tag).map((tag) => ({ e, tag, own: false }))
      : [];
    return [...named, ...more];
  });
  if (steps.length === 0) return;
  const wanted = new Map(steps.map(({ e, tag }) => [id(e.input.registryId!, e.meta.repository, tag), { registryId: e.input.registryId!, repository: e.meta.repository, tag }]));
  const want = [...wanted.values()];
  // raw SQL with one array per column: Prisma's OR of hundreds of keys and createMany cost ~1 s per 1,000 rows
  const rows = await tx.$queryRaw<({ registryId: string; repository: string; tag: string } & TagState)[]>`
    SELECT r."registryId", r."repository", r."tag", r."digest", r."firstSeenAt", r."changedAt", r."checkedAt", r."pushedAt", r."pushedBy"
    FROM "TagRecord" r
    JOIN unnest(${want.map((w) => w.registryId)}::uuid[], ${want.map((w) => w.repository)}::text[], ${want.map((w) => w.tag)}::text[]) AS k(reg, repo, tag)
      ON r."registryId" = k.reg AND r."repository" = k.repo AND r."tag" = k.tag`;
  // the tags as this batch leaves them (null: deleted), and which of them it touched
  const tags = new Map<string, TagState | null>(rows.map((r) => [id(r.registryId, r.repository, r.tag), r]));
  const touched = new Set<string>();
  const changes: TagChangeRow[] = [];
  const now = new Date();
  for (const { e: { input, meta: ev }, tag, own } of steps) {
    const key = id(input.registryId!, ev.repository, tag);
    const record = tags.get(key) ?? null;
    if (own) input.previousDigest = record && record.digest !== ev.digest ? record.digest : null;
    const pushedBy = ev.actor === "unknown" ? null : ev.actor;
    const change = { registryId: input.registryId!, repository: ev.repository, tag, at: ev.at ?? now, actor: pushedBy };
    if (ev.action === "push") {
      if (!ev.digest) {
        // Docker Hub and Quay name no digest: keep who and when for a tag we already know
        if (record) tags.set(key, { ...record, pushedAt: ev.at ?? now, pushedBy });
      } else {
        const moved = record?.digest !== ev.digest;
        tags.set(key, {
          digest: ev.digest, firstSeenAt: record?.firstSeenAt ?? now, changedAt: moved ? now : record!.changedAt,
          checkedAt: now, pushedAt: ev.at ?? now, pushedBy,
        });
        if (moved) changes.push({ ...change, digest: ev.digest, previousDigest: record?.digest ?? null });
      }
    } else if (record && (!ev.wholeArtifact || !ev.digest || record.digest === ev.digest)) {
      // (an artifact's delete leaves a tag that has since moved to another digest)
      tags.set(key, null);
      changes.push({ ...change, digest: null, previousDigest: record.digest });
    } else {
      continue;
    }
    touched.add(key);
  }
  const gone = [...touched].filter((k) => tags.get(k) === null).map((k) => wanted.get(k)!);
  const kept = [...touched].flatMap((k) => {
    const t = tags.get(k);
    return t ? [{ ...wanted.get(k)!, ...t }] : [];
  });
  if (touched.size === 0) return;
  const col = <K extends keyof (typeof kept)[number]>(k: K) => kept.map((r) => r[k]);
  const time = (k: "firstSeenAt" | "changedAt" | "checkedAt" | "pushedAt") => kept.map((r) => r[k]?.toISOString() ?? null);
  const ch = <K extends keyof TagChangeRow>(k: K) => changes.map((c) => c[k]);
  // one statement (each round trip costs ~0.6 ms of CPU here); a key is either gone or kept, never both
  await tx.$executeRaw`
    WITH gone AS (
      DELETE FROM "TagRecord" r USING unnest(${gone.map((g) => g.registryId)}::uuid[], ${gone.map((g) => g.repository)}::text[], ${gone.map((g) => g.tag)}::text[]) AS k(reg, repo, tag)
      WHERE r."registryId" = k.reg AND r."repository" = k.repo AND r."tag" = k.tag
    ), kept AS (
      INSERT INTO "TagRecord" ("registryId", "repository", "tag", "digest", "firstSeenAt", "changedAt", "checkedAt", "pushedAt", "pushedBy")
      SELECT * FROM unnest(${col("registryId")}::uuid[], ${col("repository")}::text[], ${col("tag")}::text[], ${col("digest")}::text[],
        ${time("firstSeenAt")}::timestamp(3)[], ${time("changedAt")}::timestamp(3)[], ${time("checkedAt")}::timestamp(3)[],
        ${time("pushedAt")}::timestamp(3)[], ${col("pushedBy")}::text[])
      ON CONFLICT ("registryId", "repository", "tag") DO UPDATE SET "digest" = EXCLUDED."digest", "changedAt" = EXCLUDED."changedAt",
        "checkedAt" = EXCLUDED."checkedAt", "pushedAt" = EXCLUDED."pushedAt", "pushedBy" = EXCLUDED."pushedBy"
    )
    INSERT INTO "TagChange" ("registryId", "repository", "tag", "digest", "previousDigest", "at", "source", "actor")
    SELECT reg, repo, tag, digest, prev, at, 'EVENT'::"TagChangeSource", actor
    FROM unnest(${ch("registryId")}::uuid[], ${ch("repository")}::text[], ${ch("tag")}::text[], ${ch("digest")}::text[], ${ch("previousDigest")}::text[],
      ${changes.map((c) => c.at.toISOString())}::timestamp(3)[], ${ch("actor")}::text[]) WITH ORDINALITY AS t(reg, repo, tag, digest, prev, at, actor, n)
    ORDER BY n`;
};
