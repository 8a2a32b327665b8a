BEGIN;

CREATE SCHEMA IF NOT EXISTS ops;

CREATE TYPE ops.priority AS ENUM ('low', 'high');

ALTER TYPE order_status RENAME TO order_status_old;

CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'refunded');

DO $schemadiff$ DECLARE db_default text; db_label text; BEGIN SELECT pg_get_expr(d.adbin, d.adrelid) INTO db_default FROM pg_attrdef AS d JOIN pg_attribute AS a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = '"order"'::regclass AND a.attname = 'status'; IF db_default IS NOT NULL THEN ALTER TABLE "order" ALTER COLUMN status DROP DEFAULT; EXECUTE 'SELECT (' || db_default || ')::text' INTO db_label; END IF; ALTER TABLE "order" ALTER COLUMN status TYPE order_status USING status::text::order_status; IF db_label = ANY (enum_range(NULL::order_status)::text[]) THEN EXECUTE 'ALTER TABLE "order" ALTER COLUMN status SET DEFAULT ' || quote_literal(db_label) || '::order_status'; ELSIF db_label IS NOT NULL THEN RAISE EXCEPTION USING MESSAGE = 'schemadiff: the default of "order".status is ' || quote_literal(db_label) || ', which order_status no longer has. Give the column another default, or drop it, then run the migration again.'; END IF; END $schemadiff$;

DROP TYPE order_status_old;

-- WARNING schemadiff: order.priority is added NOT NULL without a server default: the rows it finds get the placeholder 'low', then the default is dropped. Check that value, or fill the column in the migration.

ALTER TABLE "order" ADD COLUMN priority ops.priority DEFAULT 'low' NOT NULL;

ALTER TABLE "order" ALTER COLUMN priority DROP DEFAULT;

ALTER TABLE "order" DROP COLUMN legacy;

DROP TYPE legacy_kind;

COMMIT;

