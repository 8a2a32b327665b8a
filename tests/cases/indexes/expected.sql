BEGIN;

DROP INDEX ix_doc_old;

DROP INDEX ix_doc_pair;

CREATE UNIQUE INDEX ix_doc_body ON doc (body);

CREATE INDEX ix_doc_live ON doc USING btree (owner) WHERE body <> '';

CREATE INDEX ix_doc_lower_title ON doc (lower(title));

CREATE INDEX ix_doc_pair ON doc (owner, title);

COMMIT;

