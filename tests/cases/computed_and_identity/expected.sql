BEGIN;

-- TODO schemadiff: line.id: the identity changed; migrate it by hand.

-- TODO schemadiff: line.serial: the identity changed; migrate it by hand.

-- line.total: new generated expression, column re-created

ALTER TABLE line DROP COLUMN total;

ALTER TABLE line ADD COLUMN total INTEGER GENERATED ALWAYS AS (qty * price + 1) STORED NOT NULL;

COMMIT;

