BEGIN;

ALTER TABLE ticket DROP CONSTRAINT ticket_state;

ALTER TABLE ticket ALTER COLUMN state TYPE VARCHAR(7);

ALTER TABLE ticket ADD CONSTRAINT ticket_state CHECK (state IN ('open', 'waiting', 'done'));

COMMIT;

