-- CreateEnum
CREATE TYPE "PublishPolicy" AS ENUM ('ALLOW_WITH_CONFIRMATION', 'FORBID');

-- AlterTable
ALTER TABLE "Registry" ADD COLUMN     "publishPolicy" "PublishPolicy" NOT NULL DEFAULT 'ALLOW_WITH_CONFIRMATION';
