BEGIN;

ALTER TABLE item DROP CONSTRAINT ck_item_price;

ALTER TABLE item ADD CONSTRAINT ck_item_price CHECK (price > 0);

ALTER TABLE item ADD CONSTRAINT ck_item_qty_max CHECK (qty < 1000);

COMMIT;

