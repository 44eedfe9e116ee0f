-- AlterTable
ALTER TABLE "Registry" ADD COLUMN     "concurrency" INTEGER;

-- the API refuses other values (lib/schemas/registry.ts); the database does too
ALTER TABLE "Registry" ADD CONSTRAINT "Registry_concurrency_range" CHECK ("concurrency" IS NULL OR "concurrency" BETWEEN 1 AND 64);
