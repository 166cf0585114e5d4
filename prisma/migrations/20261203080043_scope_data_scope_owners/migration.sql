-- DropIndex
DROP INDEX "tasks_idempotency_key_key";

-- AlterTable
ALTER TABLE "artifacts" ADD COLUMN     "created_by_id" UUID,
ADD COLUMN     "department_id" UUID;

-- AlterTable
ALTER TABLE "event_deliveries" ADD COLUMN     "department_id" UUID,
ADD COLUMN     "owner_id" UUID;

-- AlterTable
ALTER TABLE "event_subscriptions" ADD COLUMN     "created_by_id" UUID,
ADD COLUMN     "department_id" UUID;

-- AlterTable
ALTER TABLE "scheduled_jobs" ADD COLUMN     "created_by_id" UUID,
ADD COLUMN     "department_id" UUID;

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "idempotency_owner" TEXT;

-- Keys stored so far keep answering their own caller: a scheduled run's key belongs to its job, any other to its creator.
UPDATE "tasks" SET "idempotency_owner" = CASE
    WHEN "created_by_id" IS NULL AND "idempotency_key" LIKE 'schedule/%' THEN 'schedule:' || split_part("idempotency_key", '/', 2)
    WHEN "created_by_id" IS NOT NULL THEN 'user:' || "created_by_id"
    ELSE 'system'
  END
WHERE "idempotency_key" IS NOT NULL;

-- CreateIndex
CREATE INDEX "artifacts_department_id_idx" ON "artifacts"("department_id");

-- CreateIndex
CREATE INDEX "artifacts_created_by_id_idx" ON "artifacts"("created_by_id");

-- CreateIndex
CREATE INDEX "scheduled_jobs_department_id_idx" ON "scheduled_jobs"("department_id");

-- CreateIndex
CREATE INDEX "scheduled_jobs_created_by_id_idx" ON "scheduled_jobs"("created_by_id");

-- CreateIndex
CREATE UNIQUE INDEX "tasks_idempotency_owner_idempotency_key_key" ON "tasks"("idempotency_owner", "idempotency_key");
