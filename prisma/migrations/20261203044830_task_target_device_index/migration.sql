-- CreateIndex
CREATE INDEX "task_targets_device_id_idx" ON "task_targets"("device_id");
