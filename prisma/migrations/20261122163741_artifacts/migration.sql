-- CreateTable
CREATE TABLE "artifacts" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "source_url" TEXT,
    "storage_path" TEXT,
    "md5" TEXT,
    "size" BIGINT,
    "package_name" TEXT,
    "version_name" TEXT,
    "version_code" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "artifacts_kind_name_idx" ON "artifacts"("kind", "name");
