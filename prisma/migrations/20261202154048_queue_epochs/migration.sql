-- CreateTable
CREATE TABLE "queue_epochs" (
    "redis_prefix" TEXT NOT NULL,
    "epoch" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "queue_epochs_pkey" PRIMARY KEY ("redis_prefix")
);
