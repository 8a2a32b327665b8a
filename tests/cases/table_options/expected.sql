BEGIN;

-- TODO schemadiff: event: the table options changed; migrate it by hand.

COMMIT;

