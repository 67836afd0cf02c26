-- CreateEnum
CREATE TYPE "Role" AS ENUM ('user', 'superuser');

-- CreateEnum
CREATE TYPE "CollectionType" AS ENUM ('base', 'external');

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'user',
    "token_key" TEXT NOT NULL,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "collections" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "CollectionType" NOT NULL DEFAULT 'base',
    "fields" JSONB NOT NULL DEFAULT '[]',
    "list_rule" TEXT,
    "view_rule" TEXT,
    "create_rule" TEXT,
    "update_rule" TEXT,
    "delete_rule" TEXT,
    "realtime" BOOLEAN NOT NULL DEFAULT true,
    "created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "collections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "records" (
    "collection_id" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "records_pkey" PRIMARY KEY ("collection_id","id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "seq" BIGSERIAL NOT NULL,
    "collection_id" TEXT NOT NULL,
    "collection_name" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,
    "record" JSONB,
    "old_record" JSONB,
    "socket_id" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "realtime_connections" (
    "id" TEXT NOT NULL,
    "user_id" TEXT,
    "node_id" TEXT NOT NULL,
    "protocol" TEXT NOT NULL DEFAULT 'socket.io',
    "connected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disconnected_at" TIMESTAMPTZ(3),

    CONSTRAINT "realtime_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "realtime_subscriptions" (
    "id" TEXT NOT NULL,
    "connection_id" TEXT NOT NULL,
    "user_id" TEXT,
    "collection_id" TEXT NOT NULL,
    "record_id" TEXT,
    "filter" TEXT,
    "events" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "select" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "channel" TEXT NOT NULL,
    "created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "realtime_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "collections_name_key" ON "collections"("name");

-- CreateIndex
CREATE INDEX "records_collection_id_created_idx" ON "records"("collection_id", "created");

-- CreateIndex
CREATE INDEX "outbox_sent_at_seq_idx" ON "outbox"("sent_at", "seq");

-- CreateIndex
CREATE INDEX "realtime_connections_user_id_idx" ON "realtime_connections"("user_id");

-- CreateIndex
CREATE INDEX "realtime_subscriptions_connection_id_idx" ON "realtime_subscriptions"("connection_id");

-- CreateIndex
CREATE INDEX "realtime_subscriptions_collection_id_idx" ON "realtime_subscriptions"("collection_id");

-- AddForeignKey
ALTER TABLE "records" ADD CONSTRAINT "records_collection_id_fkey" FOREIGN KEY ("collection_id") REFERENCES "collections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "realtime_subscriptions" ADD CONSTRAINT "realtime_subscriptions_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "realtime_connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;
