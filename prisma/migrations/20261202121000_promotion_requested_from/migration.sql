-- AlterTable
ALTER TABLE "Promotion" ADD COLUMN     "requestedFrom" TEXT;
