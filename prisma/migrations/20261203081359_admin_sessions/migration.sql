-- AlterTable: keys issued before keys expired get the default lifetime (90 days) from now.
ALTER TABLE "api_keys" ADD COLUMN     "expires_at" TIMESTAMPTZ(3);
UPDATE "api_keys" SET "expires_at" = CURRENT_TIMESTAMP + interval '90 days';
ALTER TABLE "api_keys" ALTER COLUMN "expires_at" SET NOT NULL;

-- CreateTable
CREATE TABLE "retired_refresh_tokens" (
    "token_hash" TEXT NOT NULL,
    "session_id" UUID NOT NULL,
    "retired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "retired_refresh_tokens_pkey" PRIMARY KEY ("token_hash")
);

-- CreateIndex
CREATE INDEX "retired_refresh_tokens_session_id_idx" ON "retired_refresh_tokens"("session_id");

-- AddForeignKey
ALTER TABLE "retired_refresh_tokens" ADD CONSTRAINT "retired_refresh_tokens_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "refresh_tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;
