-- CreateTable
CREATE TABLE "devices" (
    "id" UUID NOT NULL,
    "vendor" TEXT NOT NULL,
    "account_id" UUID NOT NULL,
    "vendor_ref" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'unknown',
    "model" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "group_id" UUID,
    "department_id" UUID,
    "last_seen_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3),
    "status_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "devices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "device_groups" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "device_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tasks" (
    "id" UUID NOT NULL,
    "number" BIGSERIAL NOT NULL,
    "operation_type" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "target_spec" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "idempotency_key" TEXT,
    "request_hash" TEXT,
    "rollout_per_minute" INTEGER,
    "abort_failure_percent" INTEGER,
    "abort_min_targets" INTEGER,
    "target_timeout_seconds" INTEGER NOT NULL,
    "offline_ttl_seconds" INTEGER,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "aborted_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),
    "created_by_id" UUID,
    "department_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_targets" (
    "id" UUID NOT NULL,
    "task_id" UUID NOT NULL,
    "device_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "vendor" TEXT NOT NULL,
    "vendor_ref" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "batch" INTEGER NOT NULL DEFAULT 0,
    "vendor_task_id" TEXT,
    "vendor_status" TEXT,
    "result" JSONB,
    "error_code" TEXT,
    "error_message" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "wait_until" TIMESTAMPTZ(3),
    "dispatched_at" TIMESTAMPTZ(3),
    "deadline_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "task_targets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_jobs" (
    "id" BIGSERIAL NOT NULL,
    "job_name" TEXT NOT NULL,
    "job_id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "delay_ms" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "callback_inbox" (
    "id" UUID NOT NULL,
    "vendor" TEXT NOT NULL,
    "account_id" UUID NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "applied_at" TIMESTAMPTZ(3),
    "events" INTEGER,
    "error" TEXT,

    CONSTRAINT "callback_inbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "devices_vendor_status_idx" ON "devices"("vendor", "status");

-- CreateIndex
CREATE INDEX "devices_group_id_idx" ON "devices"("group_id");

-- CreateIndex
CREATE INDEX "devices_tags_idx" ON "devices" USING GIN ("tags");

-- CreateIndex
CREATE UNIQUE INDEX "devices_account_id_vendor_ref_key" ON "devices"("account_id", "vendor_ref");

-- CreateIndex
CREATE UNIQUE INDEX "device_groups_name_key" ON "device_groups"("name");

-- CreateIndex
CREATE UNIQUE INDEX "tasks_number_key" ON "tasks"("number");

-- CreateIndex
CREATE UNIQUE INDEX "tasks_idempotency_key_key" ON "tasks"("idempotency_key");

-- CreateIndex
CREATE INDEX "tasks_status_created_at_idx" ON "tasks"("status", "created_at");

-- CreateIndex
CREATE INDEX "task_targets_task_id_account_id_batch_idx" ON "task_targets"("task_id", "account_id", "batch");

-- CreateIndex
CREATE INDEX "task_targets_account_id_vendor_task_id_idx" ON "task_targets"("account_id", "vendor_task_id");

-- CreateIndex
CREATE INDEX "task_targets_status_deadline_at_idx" ON "task_targets"("status", "deadline_at");

-- CreateIndex
CREATE UNIQUE INDEX "task_targets_task_id_device_id_key" ON "task_targets"("task_id", "device_id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_jobs_job_id_key" ON "outbox_jobs"("job_id");

-- CreateIndex
CREATE INDEX "outbox_jobs_published_at_id_idx" ON "outbox_jobs"("published_at", "id");

-- CreateIndex
CREATE INDEX "callback_inbox_applied_at_received_at_idx" ON "callback_inbox"("applied_at", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "callback_inbox_account_id_dedupe_key_key" ON "callback_inbox"("account_id", "dedupe_key");

-- AddForeignKey
ALTER TABLE "devices" ADD CONSTRAINT "devices_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "vendor_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "devices" ADD CONSTRAINT "devices_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "device_groups"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_targets" ADD CONSTRAINT "task_targets_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_targets" ADD CONSTRAINT "task_targets_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_targets" ADD CONSTRAINT "task_targets_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "vendor_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "callback_inbox" ADD CONSTRAINT "callback_inbox_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "vendor_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
