BEGIN;

ALTER TABLE client RENAME TO customer;

ALTER TABLE customer RENAME mail TO email;

ALTER TABLE customer RENAME phone TO mobile;

ALTER TABLE customer ALTER COLUMN mobile TYPE VARCHAR(40);

COMMIT;

