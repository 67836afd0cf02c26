-- CreateTable
CREATE TABLE "tidings_meta" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "tidings_meta_pkey" PRIMARY KEY ("key")
);

-- AlterTable
ALTER TABLE "realtime_subscriptions" ADD COLUMN     "auth" JSONB,
ADD COLUMN     "filter_syntax" TEXT NOT NULL DEFAULT 'pocketbase',
ADD COLUMN     "rules_version" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "superuser" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "realtime_connections_last_seen_at_idx" ON "realtime_connections"("last_seen_at");

-- The database's identity: change-event ids carry it, so a recreated database never reuses the
-- ids (and de-duplication keys) of the one before on a stream that outlived it.
INSERT INTO "tidings_meta" ("key", "value") VALUES ('instance', md5(random()::text || clock_timestamp()::text));

-- Wakes the outbox relay when a transaction that wrote changes commits.
CREATE FUNCTION "tidings_outbox_notify"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('tidings_outbox', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox"
FOR EACH STATEMENT EXECUTE FUNCTION "tidings_outbox_notify"();
