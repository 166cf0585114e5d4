-- AlterTable
ALTER TABLE "vendor_accounts" ADD COLUMN     "webhook_secret_previous_sealed" TEXT,
ADD COLUMN     "webhook_secret_previous_until" TIMESTAMPTZ(3);
