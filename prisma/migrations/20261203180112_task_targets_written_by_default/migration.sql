-- AlterTable
ALTER TABLE "tasks" ALTER COLUMN "targets_written_at" SET DEFAULT CURRENT_TIMESTAMP;
