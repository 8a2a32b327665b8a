BEGIN;

ALTER TABLE booking ADD CONSTRAINT ex_booking_overlap EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (room > 0);

COMMIT;

