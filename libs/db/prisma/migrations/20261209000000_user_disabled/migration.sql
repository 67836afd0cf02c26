-- A superuser can disable an account: it cannot sign in, and its tokens stop verifying (disabling
-- also rotates its token key). Existing accounts stay enabled.
ALTER TABLE "users" ADD COLUMN "disabled" BOOLEAN NOT NULL DEFAULT false;
