BEGIN;

ALTER TABLE parent RENAME TO family;

ALTER TABLE child RENAME parent_id TO family_id;

ALTER TABLE child RENAME nickname TO alias;

DROP INDEX ix_parent_label;

CREATE INDEX ix_family_label ON family (label);

COMMIT;

