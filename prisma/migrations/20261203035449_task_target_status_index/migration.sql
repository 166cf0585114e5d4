-- CreateIndex
CREATE INDEX "task_targets_task_id_status_idx" ON "task_targets"("task_id", "status");
