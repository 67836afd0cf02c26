-- The relay reads only unsent rows. A partial index holds just those: it stays small however many
-- sent rows are kept, and marking a row sent adds no entry to it (the index on (sent_at, seq) got
-- one per mark, and scanned past every recently marked row). Sent rows are deleted by seq range.
DROP INDEX "outbox_sent_at_seq_idx";

CREATE INDEX "outbox_unsent_seq_idx" ON "outbox"("seq") WHERE "sent_at" IS NULL;
