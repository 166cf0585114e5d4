-- A target may own several vendor tasks (TikMatrix creates one per account on a device), and a
-- target may be a vendor-side account rather than a device (TikMatrix usernames mode).
ALTER TABLE "task_targets" ALTER COLUMN "device_id" DROP NOT NULL;
ALTER TABLE "task_targets" ADD COLUMN "vendor_task_ids" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "task_targets_vendor_task_ids_idx" ON "task_targets" USING GIN ("vendor_task_ids");
