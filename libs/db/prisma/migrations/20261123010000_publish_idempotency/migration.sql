-- CreateTable
CREATE TABLE "publish_idempotency_keys" (
    "key" TEXT NOT NULL,
    "created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "publish_idempotency_keys_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "publish_idempotency_keys_created_idx" ON "publish_idempotency_keys"("created");
