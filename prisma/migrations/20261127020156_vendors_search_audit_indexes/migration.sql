-- trigram indexes for the global search (pg_trgm ships with PostgreSQL contrib and the embedded server)
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- DropIndex
DROP INDEX "AuditEvent_registryId_repository_tag_idx";

-- AlterTable
ALTER TABLE "Registry" ADD COLUMN     "apiEndpoint" TEXT;

-- CreateIndex
CREATE INDEX "AuditEvent_registryId_repository_tag_id_idx" ON "AuditEvent"("registryId", "repository", "tag", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_previousDigest_idx" ON "AuditEvent"("previousDigest");

-- CreateIndex
CREATE INDEX "AuditEvent_action_at_idx" ON "AuditEvent"("action", "at");

-- CreateIndex
CREATE INDEX "RepositoryRecord_name_trgm_idx" ON "RepositoryRecord" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "TagRecord_tag_trgm_idx" ON "TagRecord" USING GIN ("tag" gin_trgm_ops);
