-- AlterTable
ALTER TABLE "Promotion" ADD COLUMN     "heartbeatAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Promotion_state_idx" ON "Promotion"("state");
