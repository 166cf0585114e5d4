-- AlterTable
ALTER TABLE "devices" ADD COLUMN     "owner_id" UUID;

-- CreateIndex
CREATE INDEX "devices_department_id_idx" ON "devices"("department_id");

-- CreateIndex
CREATE INDEX "devices_owner_id_idx" ON "devices"("owner_id");

-- CreateIndex
CREATE INDEX "tasks_department_id_idx" ON "tasks"("department_id");

-- CreateIndex
CREATE INDEX "tasks_created_by_id_idx" ON "tasks"("created_by_id");
