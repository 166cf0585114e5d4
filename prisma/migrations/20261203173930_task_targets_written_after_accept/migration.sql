-- AlterTable. targets_written_at defaults to now: a gateway of the earlier version, still serving
-- while the first new process migrates, writes a task's targets in its request without naming it.
ALTER TABLE "tasks" ADD COLUMN     "accepted_selection" JSONB,
ADD COLUMN     "targets_selected" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "targets_written_at" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP;

-- Every earlier task wrote its targets in the request that created it.
UPDATE "tasks" SET "targets_written_at" = "created_at";

-- CreateIndex
CREATE INDEX "tasks_targets_unwritten_idx" ON "tasks"("created_at") WHERE (targets_written_at IS NULL);
