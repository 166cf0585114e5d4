-- CreateIndex
CREATE INDEX "callback_inbox_received_at_brin" ON "callback_inbox" USING BRIN ("received_at");
