BEGIN;

COMMENT ON COLUMN "user".id IS NULL;

COMMENT ON COLUMN "user".name IS 'full name';

COMMENT ON TABLE "user" IS 'customers';

COMMIT;

