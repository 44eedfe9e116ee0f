-- AlterTable
ALTER TABLE "RetentionPolicy" ADD COLUMN     "schedule" TEXT;
