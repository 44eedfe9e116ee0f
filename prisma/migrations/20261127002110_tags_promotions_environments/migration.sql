-- CreateEnum
CREATE TYPE "PromotionState" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "TagChangeSource" AS ENUM ('REGATTA', 'EVENT', 'SYNC');

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "eventKey" TEXT;

-- CreateTable
CREATE TABLE "ManifestInfo" (
    "digest" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "totalSize" BIGINT,
    "platforms" TEXT[],
    "createdAt" TIMESTAMP(3),
    "configDigest" TEXT,
    "artifactType" TEXT,
    "fetchedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ManifestInfo_pkey" PRIMARY KEY ("digest")
);

-- CreateTable
CREATE TABLE "TagRecord" (
    "registryId" UUID NOT NULL,
    "repository" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "checkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "pushedAt" TIMESTAMP(3),
    "pushedBy" TEXT,

    CONSTRAINT "TagRecord_pkey" PRIMARY KEY ("registryId","repository","tag")
);

-- CreateTable
CREATE TABLE "TagChange" (
    "id" BIGSERIAL NOT NULL,
    "registryId" UUID NOT NULL,
    "repository" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "digest" TEXT,
    "previousDigest" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" "TagChangeSource" NOT NULL,
    "actor" TEXT,

    CONSTRAINT "TagChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RepositoryRecord" (
    "registryId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tagCount" INTEGER,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RepositoryRecord_pkey" PRIMARY KEY ("registryId","name")
);

-- CreateTable
CREATE TABLE "Promotion" (
    "id" UUID NOT NULL,
    "sourceRegistryId" UUID NOT NULL,
    "sourceRepository" TEXT NOT NULL,
    "sourceReference" TEXT NOT NULL,
    "targetRegistryId" UUID NOT NULL,
    "targetRepository" TEXT NOT NULL,
    "targetTag" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "digest" TEXT,
    "previousDigest" TEXT,
    "overwrite" BOOLEAN NOT NULL DEFAULT false,
    "state" "PromotionState" NOT NULL DEFAULT 'QUEUED',
    "bytesDone" BIGINT NOT NULL DEFAULT 0,
    "bytesTotal" BIGINT NOT NULL DEFAULT 0,
    "blobsDone" INTEGER NOT NULL DEFAULT 0,
    "blobsTotal" INTEGER NOT NULL DEFAULT 0,
    "plan" JSONB,
    "error" TEXT,
    "requestedBy" TEXT NOT NULL,
    "requestedById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Promotion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProtectionRule" (
    "id" UUID NOT NULL,
    "registryId" UUID,
    "repositoryGlob" TEXT NOT NULL,
    "tagGlob" TEXT NOT NULL,
    "minRole" "Role" NOT NULL DEFAULT 'OPERATOR',
    "immutable" BOOLEAN NOT NULL DEFAULT false,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProtectionRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Environment" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "registryId" UUID NOT NULL,
    "repository" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Environment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TagRecord_digest_idx" ON "TagRecord"("digest");

-- CreateIndex
CREATE INDEX "TagRecord_tag_idx" ON "TagRecord"("tag");

-- CreateIndex
CREATE INDEX "TagChange_registryId_repository_tag_at_idx" ON "TagChange"("registryId", "repository", "tag", "at");

-- CreateIndex
CREATE INDEX "TagChange_digest_idx" ON "TagChange"("digest");

-- CreateIndex
CREATE INDEX "RepositoryRecord_name_idx" ON "RepositoryRecord"("name");

-- CreateIndex
CREATE INDEX "Promotion_createdAt_idx" ON "Promotion"("createdAt");

-- CreateIndex
CREATE INDEX "Promotion_targetRegistryId_targetRepository_targetTag_idx" ON "Promotion"("targetRegistryId", "targetRepository", "targetTag");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_name_key" ON "Environment"("name");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_eventKey_key" ON "AuditEvent"("eventKey");

-- AddForeignKey
ALTER TABLE "TagRecord" ADD CONSTRAINT "TagRecord_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepositoryRecord" ADD CONSTRAINT "RepositoryRecord_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProtectionRule" ADD CONSTRAINT "ProtectionRule_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE CASCADE ON UPDATE CASCADE;
