-- AlterTable
ALTER TABLE "task_targets" ADD COLUMN     "not_before" TIMESTAMPTZ(3);
