-- DropIndex
DROP INDEX "task_targets_account_id_vendor_task_id_idx";

-- DropIndex
DROP INDEX "task_targets_device_id_idx";

-- DropIndex
DROP INDEX "task_targets_status_deadline_at_idx";

-- DropIndex
DROP INDEX "task_targets_task_id_device_id_key";

-- DropIndex
DROP INDEX "task_targets_vendor_task_ids_idx";

-- CreateIndex
CREATE INDEX "task_targets_account_id_vendor_task_id_idx" ON "task_targets"("account_id", "vendor_task_id") WHERE (vendor_task_id IS NOT NULL);

-- CreateIndex
CREATE INDEX "task_targets_vendor_task_ids_idx" ON "task_targets" USING GIN ("vendor_task_ids") WHERE (vendor_task_ids <> '{}'::text[]);

-- CreateIndex
CREATE INDEX "task_targets_status_deadline_at_idx" ON "task_targets"("status", "deadline_at") WHERE (deadline_at IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "task_targets_device_id_task_id_key" ON "task_targets"("device_id", "task_id");
