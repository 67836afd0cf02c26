-- CreateTable
CREATE TABLE "velo_channels" (
    "id" TEXT NOT NULL,
    "user_id" TEXT,
    "collection_id" TEXT NOT NULL,
    "filter" TEXT,
    "socket_id" TEXT,
    "created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "velo_channels_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "velo_channels_last_used_at_idx" ON "velo_channels"("last_used_at");
