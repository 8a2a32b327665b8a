BEGIN;

CREATE SCHEMA IF NOT EXISTS billing;

CREATE TABLE billing."new" (
    id SERIAL NOT NULL, 
    code VARCHAR(8) DEFAULT 'x' NOT NULL, 
    PRIMARY KEY (id)
);

COMMENT ON TABLE billing."new" IS 'fresh';

COMMENT ON COLUMN billing."new".code IS 'the code';

DROP TABLE "old";

COMMIT;

