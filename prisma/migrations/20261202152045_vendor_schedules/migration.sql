-- AlterTable
ALTER TABLE "scheduled_jobs" ADD COLUMN     "runner" TEXT NOT NULL DEFAULT 'fleetgate',
ADD COLUMN     "vendor_account_id" UUID,
ADD COLUMN     "vendor_schedule_id" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "scheduled_jobs_vendor_account_id_vendor_schedule_id_key" ON "scheduled_jobs"("vendor_account_id", "vendor_schedule_id");
