-- CreateTable
CREATE TABLE "vendor_accounts" (
    "id" UUID NOT NULL,
    "vendor" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "base_url" TEXT NOT NULL,
    "public_credentials" JSONB NOT NULL DEFAULT '{}',
    "credentials_sealed" TEXT NOT NULL,
    "webhook_secret_sealed" TEXT NOT NULL,
    "rate_limit_per_second" INTEGER NOT NULL DEFAULT 10,
    "timeout_ms" INTEGER NOT NULL DEFAULT 10000,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "vendor_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "vendor_accounts_vendor_name_key" ON "vendor_accounts"("vendor", "name");
