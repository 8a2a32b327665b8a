BEGIN;

ALTER TABLE account DROP CONSTRAINT uq_account_handle;

ALTER TABLE account DROP CONSTRAINT account_nick_key;

ALTER TABLE account ADD CONSTRAINT uq_account_handle UNIQUE (tenant, handle) DEFERRABLE;

ALTER TABLE account ADD CONSTRAINT account_tenant_nick_key UNIQUE (tenant, nick);

COMMIT;

