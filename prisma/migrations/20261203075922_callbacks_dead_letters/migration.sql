-- DropIndex
DROP INDEX "callback_inbox_unapplied_idx";

-- AlterTable
ALTER TABLE "callback_inbox" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "dead_lettered_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "callback_inbox_unapplied_idx" ON "callback_inbox"("received_at") WHERE (applied_at IS NULL AND dead_lettered_at IS NULL);

-- CreateIndex
CREATE INDEX "callback_inbox_dead_lettered_idx" ON "callback_inbox"("dead_lettered_at") WHERE (dead_lettered_at IS NOT NULL);
