BEGIN;

-- TODO schemadiff: membership.user_id: the autoincrement changed; migrate it by hand.

ALTER TABLE membership DROP CONSTRAINT membership_pkey;

ALTER TABLE membership ADD CONSTRAINT pk_membership PRIMARY KEY (user_id, group_id);

COMMIT;

