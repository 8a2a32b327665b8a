BEGIN;

ALTER TABLE client RENAME TO customer;

ALTER TABLE customer RENAME mail TO email;

DROP INDEX ix_client_mail;

ALTER TABLE customer ALTER COLUMN email TYPE VARCHAR(200);

CREATE INDEX ix_customer_email ON customer (email);

COMMIT;

