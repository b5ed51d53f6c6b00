-- Dispatch, cluster storage (PostgreSQL) - 006: the tenant registry.
--
-- Tokens are accepted only for registered tenants (docs/security.md). Operators add tenants with the `tenant add`
-- verb, which writes here; every silo reads the table (cached) to accept or refuse a token's tenant. The tenants
-- named in configuration (`default` unless switched off, and Dispatch:Tenants:Known) are known without a row.
-- Rows belong to one Orleans service id, like the other tables, so two deployments may share a database.
--
-- Idempotent: IF NOT EXISTS throughout.

CREATE TABLE IF NOT EXISTS dispatch_tenants
(
    service_id  TEXT   NOT NULL,
    tenant      TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (service_id, tenant)
);
