-- DropIndex
DROP INDEX "callback_inbox_applied_at_received_at_idx";

-- AlterTable
ALTER TABLE "callback_inbox" ADD COLUMN     "claimed_until" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "callback_inbox_unapplied_idx" ON "callback_inbox"("received_at") WHERE (applied_at IS NULL);

-- Room on each page for a callback's next version: claiming it (claimed_until, in no index) is then
-- a HOT update, which writes no index entry.
ALTER TABLE "callback_inbox" SET (fillfactor = 70);
