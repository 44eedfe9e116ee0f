-- AlterTable
ALTER TABLE "Promotion" ADD COLUMN     "sourceTag" TEXT;
