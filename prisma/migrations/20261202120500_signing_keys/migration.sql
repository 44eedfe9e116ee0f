-- AlterTable
ALTER TABLE "ProtectionRule" ADD COLUMN     "requireArtifactType" TEXT,
ADD COLUMN     "requireSignature" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "SigningKey" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "publicKeyPem" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SigningKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SigningKey_name_key" ON "SigningKey"("name");
