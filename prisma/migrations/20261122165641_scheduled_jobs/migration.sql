-- CreateTable
CREATE TABLE "scheduled_jobs" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "group_name" TEXT NOT NULL DEFAULT 'default',
    "description" TEXT NOT NULL DEFAULT '',
    "schedule_kind" TEXT NOT NULL,
    "cron" TEXT,
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "run_at" TIMESTAMPTZ(3),
    "weekdays" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "time_of_day" TEXT,
    "action" JSONB NOT NULL,
    "retry_count" INTEGER NOT NULL DEFAULT 0,
    "retry_scope" TEXT NOT NULL DEFAULT 'failed',
    "misfire_policy" TEXT NOT NULL DEFAULT 'fire_once',
    "overlap_policy" TEXT NOT NULL DEFAULT 'serial',
    "run_timeout_seconds" INTEGER NOT NULL DEFAULT 3600,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "scheduled_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_runs" (
    "id" UUID NOT NULL,
    "job_id" UUID NOT NULL,
    "scheduled_for" TIMESTAMPTZ(3) NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "trigger" TEXT NOT NULL,
    "executor" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "task_id" UUID,
    "error" TEXT,
    "triggered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "duration_ms" INTEGER,

    CONSTRAINT "job_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "scheduled_jobs_name_key" ON "scheduled_jobs"("name");

-- CreateIndex
CREATE INDEX "scheduled_jobs_group_name_idx" ON "scheduled_jobs"("group_name");

-- CreateIndex
CREATE INDEX "job_runs_status_idx" ON "job_runs"("status");

-- CreateIndex
CREATE INDEX "job_runs_triggered_at_idx" ON "job_runs"("triggered_at");

-- CreateIndex
CREATE UNIQUE INDEX "job_runs_job_id_scheduled_for_attempt_key" ON "job_runs"("job_id", "scheduled_for", "attempt");

-- AddForeignKey
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "scheduled_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
