-- CreateTable
CREATE TABLE "ManifestBlob" (
    "manifestDigest" TEXT NOT NULL,
    "blobDigest" TEXT NOT NULL,
    "size" BIGINT NOT NULL,

    CONSTRAINT "ManifestBlob_pkey" PRIMARY KEY ("manifestDigest","blobDigest")
);

-- CreateIndex
CREATE INDEX "ManifestBlob_blobDigest_idx" ON "ManifestBlob"("blobDigest");
